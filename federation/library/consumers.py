"""The library's consumers: what follows a change of an item (its search index entry, its
offers and copies on other sites). A consumer registers here from its own app; the library
names none of them.

    consumers.register("search", on_item_changed)                # one item at a time
    consumers.register("search", batch=on_items_changed)         # or a batch at a time

Each change of an item writes, in the transaction that changes it, one `ConsumerStep` per
consumer (`schedule`); after commit each step runs (`run_pending`) and is marked done for the
version it handled. A step left pending — the worker killed in between, the search cluster
down, a consumer that raised — is run again by `sweep` (periodic). So every consumer sees every
item's latest state at least once, whichever step a crash interrupted.

A handler is called as `handler(item, event)` in the item's site schema, with the item as it
is now (it may have changed again since the step was written), and must be idempotent: a step
can run twice (a crash after the handler, before the step was marked done). A batch handler
is called as `batch([(item, event), …])` with the items of one site, in that site's schema;
if it raises, each of its items is tried alone, so one bad item holds back only its own step.
A consumer registered with a per-item handler only is called once per item, as before.
"""

import logging
from collections.abc import Callable
from datetime import timedelta
from itertools import groupby

from django.db import connection
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
BatchHandler = Callable[[list[tuple[LibraryItem, str]]], None]
_handlers: dict[str, Handler] = {}
_batch_handlers: dict[str, BatchHandler] = {}


def register(name: str, handler: Handler | None = None, *, batch: BatchHandler | None = None):
    """Make a consumer follow every library change from now on, under the durable name `name`:
    `handler(item, event)` per item, or `batch([(item, event), …])` per batch, or both (the
    batch handler is then used for batches, `handler` where one item is asked for by name)."""
    if handler is None and batch is None:
        raise TypeError(f"library consumer {name!r}: give a handler or a batch handler")
    _handlers[name] = handler or _one_at_a_time(batch)
    if batch is None:
        _batch_handlers.pop(name, None)  # re-registered per item (a test wrapping the handler)
    else:
        _batch_handlers[name] = batch


def _one_at_a_time(batch: BatchHandler) -> Handler:
    def handler(item, event):
        batch([(item, event)])

    handler.__wrapped__ = batch
    return handler


def registered() -> dict[str, Handler]:
    return dict(_handlers)


def schedule(items, event: str) -> None:
    """Record, in the caller's transaction, that every consumer must catch up with these items'
    current versions (one row per item and consumer, reset to pending)."""
    schedule_changes([(item, event) for item in items])


def schedule_changes(changes) -> None:
    """`schedule` for (item, event) pairs whose events differ (a batch of outbox rows)."""
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
        for item, event in changes
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
    """Run every pending step of these items: per site (in its schema) and per consumer, a
    batch at a time. Returns steps done."""
    steps = (
        ConsumerStep.objects.filter(item_id__in=list(item_ids), done_at__isnull=True)
        .select_related("item__site")
        .order_by("item__site__schema_name", "consumer", "item_id")
    )
    done = 0
    for (schema, name), group in groupby(
        steps, key=lambda step: (step.item.site.schema_name, step.consumer)
    ):
        with schema_context(schema):
            done += run_steps(name, list(group))
    return done


def run_step(step: ConsumerStep) -> bool:
    """One consumer catches up with one item (the item read anew)."""
    step.item = LibraryItem.objects.select_related("site").get(pk=step.item_id)
    return run_steps(step.consumer, [step]) == 1


def run_steps(name: str, steps: list[ConsumerStep]) -> int:
    """Consumer `name` catches up with these items of one site (the items as `steps` loaded
    them). A failure is recorded on its steps (the sweep retries them) and never stops the
    other consumers. Returns the steps done."""
    handler = _handlers.get(name)
    if handler is None:  # a consumer that no longer exists (an app removed)
        log.warning("library consumer %r is not registered; %s steps dropped", name, len(steps))
        ConsumerStep.objects.filter(pk__in=[s.pk for s in steps]).update(done_at=timezone.now())
        return 0
    started = timezone.now()
    batch = _batch_handlers.get(name)
    if batch is not None and len(steps) > 1:
        try:
            batch([(step.item, step.event) for step in steps])
        except Exception:
            log.warning(
                "library consumer %s failed for a batch of %s; trying its items one by one",
                name,
                len(steps),
                exc_info=True,
            )
        else:
            _mark_done(steps, started)
            return len(steps)
    done = []
    for step in steps:
        try:
            if batch is not None:
                batch([(step.item, step.event)])
            else:
                handler(step.item, step.event)
        except Exception as exc:
            ConsumerStep.objects.filter(pk=step.pk).update(
                attempts=F("attempts") + 1,
                last_attempt_at=started,
                last_error=f"{type(exc).__name__}: {exc}"[:2000],
            )
            log.warning(
                "library consumer %s failed for item %s; the sweep will retry",
                name,
                step.item_id,
                exc_info=True,
            )
        else:
            done.append(step)
    _mark_done(done, started)
    return len(done)


def _mark_done(steps: list[ConsumerStep], started) -> None:
    """Done for the version each step was scheduled at: if its item changed meanwhile, the step
    was reset to the newer version and stays pending (the handler may have read the older
    state). One statement for the batch."""
    if not steps:
        return
    table = connection.ops.quote_name(ConsumerStep._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS s SET done_at = %s, attempts = s.attempts + 1, "  # noqa: S608
            "last_attempt_at = %s, last_error = '' "
            "FROM unnest(%s::bigint[], %s::bigint[]) AS d(id, version) "
            "WHERE s.id = d.id AND s.version = d.version",
            [timezone.now(), started, [s.pk for s in steps], [s.version for s in steps]],
        )


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
    """Run again the steps a crash or an outage left pending: one task per site with its items,
    oldest first, in the site's schema (with no broker, right here). Returns the items handed
    on."""
    from .tasks import run_site_consumer_steps  # tasks imports this module

    with schema_context("public"):
        pending = list(
            pending_steps(older_than)
            .order_by("scheduled_at")
            .values_list("item_id", "item__site__schema_name")[:limit]
        )
    by_site: dict[str, list[int]] = {}
    for item_id, schema in dict.fromkeys(pending):
        by_site.setdefault(schema, []).append(item_id)
    handed_on = hand_on(
        run_site_consumer_steps,
        list(by_site.items()),
        schema=lambda row: row[0],
        args=lambda row: [row[1]],
    )
    return sum(len(ids) for _, ids in list(by_site.items())[:handed_on])
