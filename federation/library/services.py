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

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
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
# Outbox rows applied in one transaction: large enough that the per-batch queries vanish
# per item, small enough that a batch's locks and its rollback stay short.
OUTBOX_BATCH = 200
# The first key of the library's advisory locks (lock_items), apart from any other user's.
ITEM_LOCK_CLASS = 71917
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
    default_locale_id = Locale.get_default().pk
    pages = [p for p in pages if projection.can_be_item(p, default_locale_id)]
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

    for _ in range(site_tasks_for(len(rows))):
        enqueue(process_site_outbox, schema=website.schema_name, recoverable=True)
    return rows


def site_tasks_for(rows: int) -> int:
    """How many of a site's outbox tasks to send for `rows` new rows: one, or for a backlog of
    several batches (a resync, an import) up to LIBRARY_TASKS_PER_SITE working side by side,
    each claiming its own rows (process_batch: SKIP LOCKED, item locks). Each sends its
    successor while rows wait (tasks.process_site_outbox), so the number stays as sent."""
    wanted = -(-rows // OUTBOX_BATCH)  # batches, rounded up
    return max(1, min(settings.LIBRARY_TASKS_PER_SITE, wanted))


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
            check_schema(event.site, [event])
            changed = apply_projections(event.site, [event])
            if changed:
                consumers.schedule_changes(changed)
            mark_processed([event])
    except Exception as exc:
        OutboxEvent.objects.filter(pk=event_id).update(
            attempts=event_attempts(event_id) + 1,
            last_attempt_at=timezone.now(),
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        log.warning("outbox event %s failed; the sweep will retry", event_id, exc_info=True)
        raise
    if not changed:
        return item_by_key(event.item_key)
    item = changed[0][0]
    transaction.on_commit(lambda: consumers.run_pending([item.pk]))
    return LibraryItem.objects.get(pk=item.pk)


def item_by_key(key: str) -> LibraryItem | None:
    return LibraryItem.objects.filter(item_key=key).first()


def check_schema(website: Website, events) -> None:
    if connection.schema_name != website.schema_name:
        raise RuntimeError(
            f"outbox events {[e.pk for e in events][:5] or ''} of {website.schema_name} "
            f"but ran in {connection.schema_name}"
        )


def event_attempts(event_id: int) -> int:
    return OutboxEvent.objects.filter(pk=event_id).values_list("attempts", flat=True).first() or 0


def mark_processed(events) -> None:
    now = timezone.now()
    OutboxEvent.objects.filter(pk__in=[e.pk for e in events]).update(
        processed_at=now, attempts=F("attempts") + 1, last_attempt_at=now, last_error=""
    )


def process_batch(website: Website, size: int = OUTBOX_BATCH, skip=()) -> list[int]:
    """Apply up to `size` of this site's waiting rows, oldest version first, in one
    transaction: the rows claimed with FOR UPDATE SKIP LOCKED (a second worker takes the next
    rows, never these), their pages projected together, the items written in two statements,
    the consumer steps scheduled and the rows marked processed; then, after commit, the
    consumers run over the batch. Runs in the site's schema. Returns the ids claimed.

    A batch that fails is rolled back whole and its rows are applied one by one
    (`process_event`): the row at fault records its error and waits for the sweep, the others
    are processed once. `skip`: rows this caller already tried."""
    check_schema(website, [])
    events: list[OutboxEvent] = []
    try:
        with transaction.atomic():
            events = list(
                OutboxEvent.objects.select_for_update(skip_locked=True)
                .filter(site=website, processed_at__isnull=True)
                .exclude(pk__in=list(skip))
                # A row that keeps failing waits for the sweep's slow retry, as there.
                .exclude(
                    attempts__gte=FAST_ATTEMPTS,
                    last_attempt_at__gt=timezone.now() - SLOW_RETRY,
                )
                .order_by("version")[:size]
            )
            if not events:
                return []
            changed = apply_projections(website, events)
            if changed:
                consumers.schedule_changes(changed)
            mark_processed(events)
    except Exception:
        log.warning(
            "a batch of %s outbox rows of %s failed; applying them one by one",
            len(events),
            website.schema_name,
            exc_info=True,
        )
        for event in events:
            try:
                process_event(event.pk)
            except Exception:  # noqa: S112 — recorded on the row; the sweep retries it later
                continue
        return [event.pk for event in events]
    if changed:
        item_ids = [item.pk for item, _ in changed]
        transaction.on_commit(lambda: consumers.run_pending(item_ids))
    return [event.pk for event in events]


def apply_projections(website: Website, events) -> list[tuple[LibraryItem, str]]:
    """Bring the items of these rows (one site's) up to their pages' current state. Projection
    is state-based, so each item is projected once, at the version of its latest row: a
    deletion after an update in the same batch withdraws the item. A stored item at that
    version or later is left alone (a replayed or late row), and so is one whose projection
    is what it already holds (the same digest, or withdrawn for the same reason: a resync of
    unchanged pages), which keeps its version and calls no consumer. Returns (item, event)
    pairs of the items that changed."""
    latest = {}
    for event in sorted(events, key=lambda e: e.version):
        latest[event.item_key] = event
    lock_items(list(latest))
    stored = {
        key: (version, digest, withdrawn and reason)
        for key, version, digest, withdrawn, reason in LibraryItem.objects.filter(
            item_key__in=list(latest)
        ).values_list("item_key", "version", "digest", "withdrawn", "withdrawn_reason")
    }
    latest = {k: e for k, e in latest.items() if stored.get(k, (0,))[0] < e.version}
    if not latest:
        return []
    fields_by_key, reasons = {}, {}
    if website.status != Website.Status.ACTIVE:
        reasons = dict.fromkeys(latest, WithdrawnReason.SITE_INACTIVE)
    else:
        fields_by_key, reasons = eligible_projections(website, latest.values())
    # Safe to leave as it is: the page's state was read under the item's lock, and the stored
    # item shows that very state (whatever version it was written at), as do its consumers
    # once their steps are done (a pending step stays pending for the sweep).
    fields_by_key = {
        key: fields
        for key, fields in fields_by_key.items()
        if key not in stored or stored[key][1:] != (fields["digest"], False)
    }
    reasons = {
        key: reason
        for key, reason in reasons.items()
        if key not in stored or stored[key][2] != reason
    }
    rows = [
        LibraryItem(
            site=website,
            item_key=key,
            version=latest[key].version,
            withdrawn=False,
            withdrawn_reason="",
            withdrawn_at=None,
            **fields,
        )
        for key, fields in fields_by_key.items()
    ]
    written = upsert_items(rows) + withdraw_items(
        [(key, latest[key].version, reason) for key, reason in reasons.items()]
    )
    return [(item, latest[item.item_key].event) for item in written]


def lock_items(keys: list[str]) -> None:
    """Hold these item keys until the transaction ends (advisory locks, in key order so two
    batches never wait on each other in a circle). Two workers applying rows of one item take
    turns, and the second reads the page after the first committed: a deletion processed
    while an older publish of the same page is in flight still withdraws its item."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(k)) "
            "FROM (SELECT k FROM unnest(%s::text[]) AS k ORDER BY k) AS ordered",
            [ITEM_LOCK_CLASS, sorted(keys)],
        )


def eligible_projections(website: Website, events) -> tuple[dict, dict]:
    """For these rows' pages: ({item key: fields} of those that belong in the library now,
    {item key: why not} of the others). Only live pages, visible to anonymous visitors (no
    view restriction on the page or an ancestor), enter; their live content is projected,
    never a draft's. A few queries for the whole batch."""
    by_page = {e.page_id: e for e in events}
    pages = {
        page.pk: page
        for page in Page.objects.filter(pk__in=list(by_page)).specific()
        if str(page.translation_key) == projection.item_uuid(by_page[page.pk].item_key)
    }
    hidden = restricted_pages([p for p in pages.values() if p.live])
    eligible = [p for p in pages.values() if p.live and p.pk not in hidden]
    batch = projection.Batch(website, eligible)
    fields_by_key, reasons = {}, {}
    for page_id, event in by_page.items():
        page = pages.get(page_id)
        if page is None:
            reasons[event.item_key] = WithdrawnReason.DELETED
        elif not page.live:
            reasons[event.item_key] = WithdrawnReason.UNPUBLISHED
        elif page.pk in hidden:
            reasons[event.item_key] = WithdrawnReason.RESTRICTED
        else:
            fields = projection.project(page, website, batch)
            if fields is None:
                reasons[event.item_key] = WithdrawnReason.EXCLUDED
            else:
                fields_by_key[event.item_key] = fields
    return fields_by_key, reasons


def restricted_pages(pages) -> set[int]:
    """The pks of these pages that a view restriction hides (on the page or an ancestor). On a
    site without restrictions, one query; otherwise by path, and Wagtail's own check for
    aliases (whose restrictions are their originals')."""
    restricted_paths = list(PageViewRestriction.objects.values_list("page__path", flat=True))
    if not restricted_paths:
        return set()
    hidden = set()
    for page in pages:
        if page.alias_of_id:
            if page.get_view_restrictions().exists():
                hidden.add(page.pk)
        elif any(page.path.startswith(path) for path in restricted_paths):
            hidden.add(page.pk)
    return hidden


def upsert_items(rows: list[LibraryItem]) -> list[LibraryItem]:
    """Insert or update these items by key in one statement, each only where the stored
    version is older: a replayed row, or a second worker that read an older state, can never
    write over a newer projection. Returns the items written (pk, key and version)."""
    if not rows:
        return []
    fields = [f for f in LibraryItem._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    table = quote(LibraryItem._meta.db_table)
    columns = [quote(f.column) for f in fields]
    values, params = [], []
    for row in rows:
        values.append("(" + ", ".join(["%s"] * len(fields)) + ")")
        params += [f.get_db_prep_save(f.pre_save(row, add=True), connection) for f in fields]
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c != quote("item_key"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join(values)} "  # noqa: S608
            f"ON CONFLICT (item_key) DO UPDATE SET {updates} "
            f"WHERE {table}.version < EXCLUDED.version RETURNING id, item_key, version",
            params,
        )
        return [LibraryItem(pk=pk, item_key=key, version=v) for pk, key, v in cursor.fetchall()]


def withdraw_items(withdrawals: list[tuple[str, int, str]]) -> list[LibraryItem]:
    """Withdraw the items of these (key, version, reason) in one statement, where the stored
    version is older; the time of withdrawal is kept for an item already withdrawn."""
    if not withdrawals:
        return []
    table = connection.ops.quote_name(LibraryItem._meta.db_table)
    keys, versions, reasons = (list(column) for column in zip(*withdrawals, strict=True))
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS i SET withdrawn = true, withdrawn_reason = w.reason, "  # noqa: S608
            "withdrawn_at = CASE WHEN i.withdrawn THEN i.withdrawn_at ELSE %s END, "
            "version = w.version, projected_at = %s "
            "FROM unnest(%s::text[], %s::bigint[], %s::text[]) AS w(item_key, version, reason) "
            "WHERE i.item_key = w.item_key AND i.version < w.version "
            "RETURNING i.id, i.item_key, i.version",
            [now, now, keys, versions, reasons],
        )
        return [LibraryItem(pk=pk, item_key=key, version=v) for pk, key, v in cursor.fetchall()]


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
    """Process up to `limit` of this site's waiting rows, a batch at a time in version order
    (runs in the site's schema). Returns the rows claimed."""
    tried: list[int] = []
    while len(tried) < limit:
        claimed = process_batch(website, min(OUTBOX_BATCH, limit - len(tried)), skip=tried)
        if not claimed:
            break
        tried += claimed
    return len(tried)


def has_pending(website: Website) -> bool:
    return OutboxEvent.objects.filter(site=website, processed_at__isnull=True).exists()


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
        default_locale_id = Locale.get_default().pk
        candidates = [
            page.pk
            for page in Page.objects.filter(live=True, depth__gt=1).only(
                "pk", "translation_key", "content_type", "locale"
            )
            if projection.can_be_item(page, default_locale_id)
            and projection.item_key(website.schema_name, page) not in known
        ]
        pages = list(Page.objects.filter(pk__in=candidates).order_by("path").specific())
        hidden = restricted_pages(pages)
        pages = [page for page in pages if page.pk not in hidden]
        batch = projection.Batch(website, pages)
        items = []
        for page in pages:
            fields = projection.project(page, website, batch)
            if fields is not None:  # kept out by its type: not an item
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
