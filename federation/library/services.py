"""The library's behaviour: recording page events, projecting them, sweeping the outbox.

The flow (docs/architecture.md, "The one flow"):

    page published / unpublished / deleted / moved          (tenant schema, editor's request)
      └─ record_page_event()   OutboxEvent row, same transaction as the page change
           └─ after commit: tasks.process_outbox_event(event_id)   in the site's schema
                └─ process_event(), one transaction: project the page → LibraryItem
                   (idempotent by version), one ConsumerStep per consumer, the row processed
                     └─ after commit: consumers.run_pending() — search, syndication…
    sweep_outbox()       (periodic) re-sends outbox rows never processed
    consumers.sweep()    (periodic) runs consumer steps a crash or an outage left pending

Pages that can never be items (home and column pages, syndicated copies: `library_exclude`)
write no outbox row at all. Projection is state-based: whatever the event, the page's
*current* state is read and projected, so events that arrive late or twice converge on the
same item. The version guard (`LibraryItem.version`) only saves the work of re-applying an
event already applied.

Public API for other apps: `record_page_event`, `process_event`, `sweep_outbox`,
`resync_site`, `project_new_pages`, `withdraw_site`, `items()`, and `consumers.register`.
"""

import logging
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context
from wagtail.models import Locale, Page, PageViewRestriction

from config.tasks import enqueue, hand_on
from tenants.models import Website

from . import consumers, projection
from .models import LibraryItem, OutboxEvent, WithdrawnReason

log = logging.getLogger("jiyue.library")

VERSION_SEQUENCE = "federation_library_version"
SWEEP_GRACE = timedelta(seconds=30)  # rows younger than this are still in their first task's hands
SWEEP_BATCH = 500
FAST_ATTEMPTS = 10
SLOW_RETRY = timedelta(hours=1)
OUTBOX_KEEP = timedelta(days=30)
Kind = OutboxEvent.Kind


# --- Recording (runs inside the editor's transaction, in the site's schema) -------------------


def next_versions(count: int = 1) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT nextval('public.{VERSION_SEQUENCE}') FROM generate_series(1, %s)",  # noqa: S608
            [count],
        )
        return [row[0] for row in cursor.fetchall()]


def record_page_event(page, event: str) -> OutboxEvent | None:
    """Write the outbox row for a change to `page`, and send its task once the change commits.

    Call it inside the transaction that changes the page: if that transaction rolls back, so
    does the row, and no task is sent. Nothing is written for a page that can never be an item.
    """
    website = Website.objects.current()
    if website is None or not projection.can_be_item(page):
        return None
    row = OutboxEvent.objects.create(
        site=website,
        item_key=projection.item_key(website.schema_name, page),
        page_id=page.pk,
        event=event,
        version=next_versions()[0],
    )
    # recoverable: a broker that is down must not fail the editor's request; the sweep resends.
    from .tasks import process_outbox_event  # tasks imports this module

    enqueue(process_outbox_event, row.pk, schema=website.schema_name, recoverable=True)
    return row


def record_page_events(pages, event: str) -> list[OutboxEvent]:
    """Outbox rows for many pages of the current site (a moved subtree, a resync). `pages`
    need only pk, translation_key and content_type loaded."""
    website = Website.objects.current()
    pages = [p for p in pages if projection.can_be_item(p)]
    if website is None or not pages:
        return []
    versions = next_versions(len(pages))
    rows = OutboxEvent.objects.bulk_create(
        [
            OutboxEvent(
                site=website,
                item_key=projection.item_key(website.schema_name, page),
                page_id=page.pk,
                event=event,
                version=version,
            )
            for page, version in zip(pages, versions, strict=True)
        ]
    )
    from .tasks import process_site_outbox  # tasks imports this module

    enqueue(process_site_outbox, schema=website.schema_name, recoverable=True)
    return rows


# --- Processing (runs in the site's schema, after commit) -------------------------------------


def process_event(event_id: int) -> LibraryItem | None:
    """Apply one outbox row: project the page, schedule the consumers, mark the row processed,
    all in one transaction; then run the consumers. Safe to call twice for the same row."""
    try:
        with transaction.atomic():
            # Locked: a second delivery of the same row waits here, then finds it processed.
            event = (
                OutboxEvent.objects.select_for_update(of=("self",))
                .select_related("site")
                .filter(pk=event_id)
                .first()
            )
            if event is None or event.processed_at is not None:
                return None  # a duplicate delivery: the first one did the work
            if connection.schema_name != event.site.schema_name:
                raise RuntimeError(
                    f"outbox event {event_id} belongs to {event.site.schema_name} "
                    f"but ran in {connection.schema_name}"
                )
            item, changed = apply_projection(event)
            if changed:
                consumers.schedule([item], event.event)
            now = timezone.now()
            OutboxEvent.objects.filter(pk=event.pk).update(
                processed_at=now, attempts=event.attempts + 1, last_attempt_at=now, last_error=""
            )
    except Exception as exc:
        OutboxEvent.objects.filter(pk=event_id).update(
            attempts=event_attempts(event_id) + 1,
            last_attempt_at=timezone.now(),
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        log.warning("outbox event %s failed; the sweep will retry", event_id, exc_info=True)
        raise
    if changed:
        transaction.on_commit(lambda: consumers.run_pending([item.pk]))
    return item


def event_attempts(event_id: int) -> int:
    return OutboxEvent.objects.filter(pk=event_id).values_list("attempts", flat=True).first() or 0


def apply_projection(event: OutboxEvent) -> tuple[LibraryItem | None, bool]:
    """Bring the library item of `event` up to the page's current state. (item, changed)."""
    with transaction.atomic():
        item = LibraryItem.objects.select_for_update().filter(item_key=event.item_key).first()
        if item is not None and item.version >= event.version:
            return item, False  # this event, or a later one, was already applied
        uuid = event.item_key.split(":", 1)[1]
        page = Page.objects.filter(pk=event.page_id, translation_key=uuid).first()
        fields, reason = None, WithdrawnReason.DELETED
        if event.site.status != Website.Status.ACTIVE:
            reason = WithdrawnReason.SITE_INACTIVE
        elif page is not None:
            fields, reason = eligible_projection(page, event.site)
        if fields is None:
            if item is None:
                return None, False  # never in the library, nothing to withdraw
            if not item.withdrawn:
                item.withdrawn_at = timezone.now()
            item.withdrawn, item.withdrawn_reason, item.version = True, reason, event.version
            item.save(
                update_fields=[
                    "withdrawn",
                    "withdrawn_reason",
                    "withdrawn_at",
                    "version",
                    "projected_at",
                ]
            )
            return item, True
        if item is None:
            item = LibraryItem(site=event.site, item_key=event.item_key)
        for name, value in fields.items():
            setattr(item, name, value)
        item.withdrawn, item.withdrawn_reason, item.withdrawn_at = False, "", None
        item.version = event.version
        item.save()
        return item, True


def eligible_projection(page, website) -> tuple[dict | None, str]:
    """The page's fields if it belongs in the library now, else (None, why not).

    Only live pages, visible to anonymous visitors (no view restriction on the page or an
    ancestor), enter; their live content is projected, never a draft's.
    """
    if not page.live:
        return None, WithdrawnReason.UNPUBLISHED
    if page.get_view_restrictions().exists():
        return None, WithdrawnReason.RESTRICTED
    fields = projection.project(page, website)
    if fields is None:
        return None, WithdrawnReason.EXCLUDED
    return fields, ""


def process_pending_for_site(website: Website, limit: int = SWEEP_BATCH) -> int:
    """Process this site's waiting rows in version order (runs in the site's schema)."""
    done = 0
    ids = list(
        OutboxEvent.objects.filter(site=website, processed_at__isnull=True)
        .order_by("version")
        .values_list("pk", flat=True)[:limit]
    )
    for event_id in ids:
        try:
            process_event(event_id)
            done += 1
        except Exception:  # noqa: S112 — recorded on the row; the sweep retries it later
            continue
    return done


# --- The sweep ---------------------------------------------------------------------------------


def pending_events(older_than: timedelta = SWEEP_GRACE):
    """Rows still waiting. A row that keeps failing (a bug, not an outage) is retried hourly
    after FAST_ATTEMPTS tries, so it cannot crowd out the others."""
    now = timezone.now()
    return (
        OutboxEvent.objects.filter(processed_at__isnull=True, created_at__lte=now - older_than)
        .filter(Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lte=now - older_than))
        .exclude(attempts__gte=FAST_ATTEMPTS, last_attempt_at__gt=now - SLOW_RETRY)
        .select_related("site")
        .order_by("version")
    )


def prune_outbox(keep: timedelta = OUTBOX_KEEP) -> int:
    """Delete processed rows older than `keep` (the library holds the state; rows are a log)."""
    deleted, _ = OutboxEvent.objects.filter(
        processed_at__isnull=False, processed_at__lt=timezone.now() - keep
    ).delete()
    return deleted


def sweep_outbox(older_than: timedelta = SWEEP_GRACE, limit: int = SWEEP_BATCH) -> int:
    """Re-send outbox rows that were never processed. Returns how many were handed on."""
    from .tasks import process_outbox_event  # tasks imports this module

    with schema_context(get_public_schema_name()):
        rows = list(pending_events(older_than)[:limit])
        OutboxEvent.objects.filter(pk__in=[r.pk for r in rows]).update(
            last_attempt_at=timezone.now()
        )
    return hand_on(
        process_outbox_event,
        rows,
        schema=lambda row: row.site.schema_name,
        args=lambda row: [row.pk],
    )


# --- Whole sites --------------------------------------------------------------------------------


def withdraw_site(website: Website) -> int:
    """Withdraw every item of a suspended or archived site, at once and in this transaction;
    the consumers follow after commit (search drops them, copies elsewhere are withdrawn)."""
    now = timezone.now()
    items = list(LibraryItem.objects.filter(site=website, withdrawn=False))
    if not items:
        return 0
    for item, version in zip(items, next_versions(len(items)), strict=True):
        item.withdrawn, item.withdrawn_reason, item.withdrawn_at = (
            True,
            WithdrawnReason.SITE_INACTIVE,
            now,
        )
        item.version = version
    LibraryItem.objects.bulk_update(
        items, ["withdrawn", "withdrawn_reason", "withdrawn_at", "version"]
    )
    consumers.schedule(items, WithdrawnReason.SITE_INACTIVE)
    ids = [item.pk for item in items]
    transaction.on_commit(lambda: consumers.run_pending(ids))
    return len(items)


def resync_site(website: Website) -> int:
    """Record a resync event for every page of the site (or every item it has), and send them.

    Used when a site becomes active again and by operators after a bulk change.
    """
    with schema_context(website.schema_name):
        known = set(LibraryItem.objects.filter(site=website).values_list("page_id", flat=True))
        pages = Page.objects.filter(Q(live=True, depth__gt=1) | Q(pk__in=known)).only(
            "pk", "translation_key", "content_type", "locale"
        )
        return len(record_page_events(pages, Kind.RESYNC))


def item_for_page(website: Website, page) -> LibraryItem | None:
    """The library item of a page of `website` (current or withdrawn), if it has one."""
    return LibraryItem.objects.filter(
        item_key=projection.item_key(website.schema_name, page)
    ).first()


def project_new_pages(website: Website, *, notify: bool = True) -> list[LibraryItem]:
    """Project, in one transaction, every live page of the site that the library has never
    seen: pages written in bulk, without the publish flow and so without outbox rows (the demo
    seeder). Where resync_site sends one event per page, this reads the pages in a few queries
    and writes their items in one statement. Idempotent: a page that has an item, current or
    withdrawn, is left to its own events.

    Each new item gets its version from the sequence and, with `notify`, one step per consumer
    in the same transaction, like any change: the caller runs them (`consumers.run_pending`)
    or leaves them to the consumer sweep. `notify=False` is for a first load whose caller
    brings every consumer along in bulk itself (the demo city: one search index build, and no
    subscription exists yet). Returns the new items.
    """
    with schema_context(website.schema_name), transaction.atomic():
        known = set(LibraryItem.objects.filter(site=website).values_list("item_key", flat=True))
        candidates = [
            page.pk
            for page in Page.objects.filter(live=True, depth__gt=1).only(
                "pk", "translation_key", "content_type", "locale"
            )
            if projection.can_be_item(page)
            and projection.item_key(website.schema_name, page) not in known
        ]
        # On a site without view restrictions no page is hidden: one query instead of two a page.
        restricted = PageViewRestriction.objects.exists()
        locales = {locale.pk: locale for locale in Locale.objects.all()}
        items = []
        for page in Page.objects.filter(pk__in=candidates).order_by("path").specific():
            if restricted or page.alias_of_id:
                fields, _ = eligible_projection(page, website)
            else:
                page.locale = locales[page.locale_id]
                fields = projection.project(page, website)
            if fields is not None:  # restricted, or kept out by its type: not an item
                items.append(
                    LibraryItem(
                        site=website,
                        item_key=projection.item_key(website.schema_name, page),
                        **fields,
                    )
                )
        for item, version in zip(items, next_versions(len(items)), strict=True):
            item.version = version
        LibraryItem.objects.bulk_create(items)
        if notify:
            consumers.schedule(items, Kind.RESYNC)
    return items


def items(*, site: Website | None = None, include_withdrawn: bool = False):
    """Library items, current ones by default: the read API for syndication and others."""
    qs = LibraryItem.objects.select_related("site")
    if site is not None:
        qs = qs.filter(site=site)
    if not include_withdrawn:
        qs = qs.filter(withdrawn=False, site__status=Website.Status.ACTIVE)
    return qs
