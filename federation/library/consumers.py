"""The library's consumers: what follows a change of an item (its search index entry, its
offers and copies on other sites). A consumer registers here from its own app; the library
names none of them.

    consumers.register("search", on_item_changed)      # federation.search, in AppConfig.ready

Each change of an item writes, in the transaction that changes it, one `ConsumerStep` per
consumer (`schedule`); after commit each step runs (`run_pending`) and is marked done for the
version it handled. A step left pending — the worker killed in between, the search cluster
down, a consumer that raised — is run again by `sweep` (periodic). So every consumer sees every
item's latest state at least once, whichever step a crash interrupted.

A handler is called as `handler(item, event)` in the item's site schema, with the item as it
is now (it may have changed again since the step was written), and must be idempotent: a step
can run twice (a crash after the handler, before the step was marked done).
"""

import logging
from collections.abc import Callable
from datetime import timedelta

from django.db.models import F, Q
from django.utils import timezone
from django_tenants.utils import schema_context

from config.tasks import hand_on

from .models import ConsumerStep, LibraryItem

log = logging.getLogger("jiyue.library")

SWEEP_GRACE = timedelta(seconds=30)  # steps younger than this are still in their first run's hands
SWEEP_BATCH = 500
FAST_ATTEMPTS = 10
SLOW_RETRY = timedelta(hours=1)

Handler = Callable[[LibraryItem, str], None]
_handlers: dict[str, Handler] = {}


def register(name: str, handler: Handler) -> None:
    """Make `handler` follow every library change from now on, under the durable name `name`."""
    _handlers[name] = handler


def registered() -> dict[str, Handler]:
    return dict(_handlers)


def schedule(items, event: str) -> None:
    """Record, in the caller's transaction, that every consumer must catch up with these items'
    current versions (one row per item and consumer, reset to pending)."""
    now = timezone.now()
    steps = [
        ConsumerStep(
            item=item,
            consumer=name,
            version=item.version,
            event=event,
            scheduled_at=now,
            done_at=None,
            attempts=0,
            last_attempt_at=None,
            last_error="",
        )
        for item in items
        for name in _handlers
    ]
    ConsumerStep.objects.bulk_create(
        steps,
        update_conflicts=True,
        unique_fields=["item", "consumer"],
        update_fields=[
            "version",
            "event",
            "scheduled_at",
            "done_at",
            "attempts",
            "last_attempt_at",
            "last_error",
        ],
    )


def run_pending(item_ids) -> int:
    """Run every pending step of these items, in each item's site schema. Returns steps done."""
    steps = (
        ConsumerStep.objects.filter(item_id__in=list(item_ids), done_at__isnull=True)
        .select_related("item__site")
        .order_by("item_id", "pk")
    )
    done = 0
    for step in steps:
        with schema_context(step.item.site.schema_name):
            done += run_step(step)
    return done


def run_step(step: ConsumerStep) -> bool:
    """One consumer catches up with one item. A failure is recorded on the step (the sweep
    retries it) and never stops the other consumers."""
    handler = _handlers.get(step.consumer)
    if handler is None:  # a consumer that no longer exists (an app removed)
        log.warning(
            "library consumer %r is not registered; step %s dropped", step.consumer, step.pk
        )
        ConsumerStep.objects.filter(pk=step.pk).update(done_at=timezone.now())
        return False
    started = timezone.now()
    try:
        handler(LibraryItem.objects.select_related("site").get(pk=step.item_id), step.event)
    except Exception as exc:
        ConsumerStep.objects.filter(pk=step.pk).update(
            attempts=F("attempts") + 1,
            last_attempt_at=started,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        log.warning(
            "library consumer %s failed for item %s; the sweep will retry",
            step.consumer,
            step.item_id,
            exc_info=True,
        )
        return False
    # Done for the version it was scheduled at: if the item changed meanwhile, the step was
    # reset to the newer version and stays pending (the handler may have read the older state).
    ConsumerStep.objects.filter(pk=step.pk, version=step.version).update(
        done_at=timezone.now(), attempts=F("attempts") + 1, last_attempt_at=started, last_error=""
    )
    return True


def pending_steps(older_than: timedelta = SWEEP_GRACE):
    """Steps still waiting. A step that keeps failing (a bug, not an outage) is retried hourly
    after FAST_ATTEMPTS tries, so it cannot crowd out the others."""
    now = timezone.now()
    return (
        ConsumerStep.objects.filter(done_at__isnull=True, scheduled_at__lte=now - older_than)
        .filter(Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lte=now - older_than))
        .exclude(attempts__gte=FAST_ATTEMPTS, last_attempt_at__gt=now - SLOW_RETRY)
    )


def sweep(older_than: timedelta = SWEEP_GRACE, limit: int = SWEEP_BATCH) -> int:
    """Run again the steps a crash or an outage left pending: one task per item, in its site's
    schema (with no broker, right here). Returns the items handed on."""
    from .tasks import run_consumer_steps  # tasks imports this module

    with schema_context("public"):
        pending = list(
            pending_steps(older_than)
            .order_by("scheduled_at")
            .values_list("item_id", "item__site__schema_name")[:limit]
        )
    items = list(dict.fromkeys(pending))  # one task per item, oldest first
    return hand_on(run_consumer_steps, items, schema=lambda row: row[1], args=lambda row: [row[0]])
