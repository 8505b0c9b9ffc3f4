"""The outbox applied a batch at a time: few queries per batch, the same idempotence as one row
at a time, nothing lost when a batch fails, no row taken by two workers, and the latest change
of an item winning whatever order its rows arrive in."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from federation.library import consumers, services
from federation.library.models import (
    ConsumerStep,
    LibraryItem,
    OutboxEvent,
    WithdrawnReason,
)
from federation.search.models import SearchDocument
from tests.factories import make_article, unique

pytestmark = pytest.mark.django_db

Kind = OutboxEvent.Kind


def pending_pages(website, count, prefix="批量", column="tzgg"):
    """Published pages whose outbox rows wait (their tasks never ran: no commit here)."""
    pages = [make_article(website, unique(prefix), "正文", column=column) for _ in range(count)]
    keys = [key_of(website, page) for page in pages]
    assert OutboxEvent.objects.filter(item_key__in=keys, processed_at=None).count() == count
    return pages


def key_of(website, page):
    return f"{website.schema_name}:{page.translation_key}"


def item_of(website, page):
    return LibraryItem.objects.filter(item_key=key_of(website, page)).first()


def bad_titles(page):
    """A projection extra (LIBRARY_PROJECTION_EXTRAS) that fails on pages titled 坏…"""
    if page.title.startswith("坏"):
        raise ValueError(f"cannot tag {page.title}")
    return {}


def test_a_batch_costs_the_same_queries_for_ten_pages_as_for_forty(alpha, committed):
    def queries_for(count):
        pages = pending_pages(alpha, count)
        with schema_context("alpha"), CaptureQueriesContext(connection) as queries, committed():
            services.process_pending_for_site(alpha)
        assert all(item_of(alpha, p) is not None for p in pages)
        return len(queries)

    ten, forty = queries_for(10), queries_for(40)
    # Projection, upsert, steps and both consumers (search, syndication) read and write per
    # batch: thirty more pages add no query (one a page would add 30 or more).
    assert forty - ten < 5, (ten, forty)


def test_a_failing_row_waits_alone_and_the_rest_are_applied_once(alpha, committed, settings):
    good = pending_pages(alpha, 2)
    bad = pending_pages(alpha, 1, prefix="坏")[0]
    extras = settings.LIBRARY_PROJECTION_EXTRAS
    settings.LIBRARY_PROJECTION_EXTRAS = [*extras, f"{__name__}.bad_titles"]
    with schema_context("alpha"), committed():
        services.process_pending_for_site(alpha)

    waiting = OutboxEvent.objects.get(item_key=key_of(alpha, bad))
    assert waiting.processed_at is None and waiting.attempts == 1
    assert "cannot tag 坏" in waiting.last_error
    assert item_of(alpha, bad) is None
    items = [item_of(alpha, page) for page in good]
    versions = {item.pk: item.version for item in items}
    steps = ConsumerStep.objects.filter(item__in=items)
    assert steps.count() == 2 * len(consumers.registered())
    assert all(s.done_at and s.attempts == 1 for s in steps)

    # The cause fixed: the row that waited is applied; the others are not applied again.
    settings.LIBRARY_PROJECTION_EXTRAS = extras
    with schema_context("alpha"), committed():
        services.process_pending_for_site(alpha)
    assert item_of(alpha, bad) is not None
    assert OutboxEvent.objects.get(item_key=key_of(alpha, bad)).processed_at is not None
    assert {i.pk: i.version for i in LibraryItem.objects.filter(pk__in=versions)} == versions
    assert all(s.attempts == 1 for s in ConsumerStep.objects.filter(item__in=items))
    assert SearchDocument.objects.filter(item__in=items).count() == 2


def test_replaying_a_batch_changes_nothing(alpha, committed):
    pages = pending_pages(alpha, 3)
    with schema_context("alpha"), committed():
        services.process_pending_for_site(alpha)
    items = [item_of(alpha, page) for page in pages]
    before = {i.pk: (i.version, i.projected_at, i.title) for i in items}
    steps_before = {
        s.pk: (s.version, s.done_at) for s in ConsumerStep.objects.filter(item__in=items)
    }

    # The same rows delivered again (a task sent twice, a row the sweep re-sent).
    rows = OutboxEvent.objects.filter(item_key__in=[i.item_key for i in items])
    rows.update(processed_at=None)
    with schema_context("alpha"), committed():
        assert services.process_pending_for_site(alpha) >= 3
    after = LibraryItem.objects.filter(pk__in=before)
    assert {i.pk: (i.version, i.projected_at, i.title) for i in after} == before
    steps_after = ConsumerStep.objects.filter(item__in=items)
    assert {s.pk: (s.version, s.done_at) for s in steps_after} == steps_before
    assert all(row.processed_at for row in rows)
    with schema_context("alpha"):
        assert services.process_event(rows[0].pk) is None  # processed: nothing to do


def test_a_deletion_after_an_update_wins_in_one_batch_and_across_batches(alpha, publish, committed):
    page = publish(alpha, unique("先更新后删除"), "正文")
    assert not item_of(alpha, page).withdrawn
    with schema_context("alpha"):
        page.title = unique("更新后的标题")
        page.save_revision().publish()
        page.delete()
    rows = list(
        OutboxEvent.objects.filter(item_key=key_of(alpha, page), processed_at=None).order_by(
            "version"
        )
    )
    # Deleting a live page unpublishes it first: published, unpublished, deleted.
    assert rows[0].event == Kind.PUBLISHED and rows[-1].event == Kind.DELETED
    with schema_context("alpha"), committed():
        services.process_pending_for_site(alpha)
    item = item_of(alpha, page)
    assert item.withdrawn and item.withdrawn_reason == WithdrawnReason.DELETED
    assert item.version == rows[-1].version

    # The update's row arriving late, alone, cannot bring the deleted item back.
    OutboxEvent.objects.filter(pk=rows[0].pk).update(processed_at=None)
    with schema_context("alpha"), committed():
        services.process_event(rows[0].pk)
    item.refresh_from_db()
    assert item.withdrawn and item.version == rows[-1].version


def test_another_site_is_not_in_this_sites_batch(alpha, beta, committed):
    ours = pending_pages(alpha, 2)
    theirs = pending_pages(beta, 2)
    with schema_context("alpha"), committed():
        services.process_pending_for_site(alpha)
    assert all(item_of(alpha, p).site == alpha for p in ours)
    assert all(item_of(beta, p) is None for p in theirs)
    assert not OutboxEvent.objects.filter(
        item_key__in=[key_of(beta, p) for p in theirs], processed_at__isnull=False
    ).exists()
    with schema_context("beta"), pytest.raises(RuntimeError, match="of alpha but ran in beta"):
        services.process_batch(alpha)


@pytest.fixture
def own_consumers(monkeypatch):
    """Consumers registered by a test are gone after it."""
    monkeypatch.setattr(consumers, "_handlers", dict(consumers._handlers))
    monkeypatch.setattr(consumers, "_batch_handlers", dict(consumers._batch_handlers))


def test_a_per_item_handler_still_works_and_a_batch_handler_gets_the_batch(
    alpha, committed, own_consumers
):
    one_by_one, batches = [], []
    consumers.register("per-item", lambda item, event: one_by_one.append(item.pk))
    consumers.register("batch", batch=lambda changes: batches.append([i.pk for i, _ in changes]))
    pages = pending_pages(alpha, 3)
    with schema_context("alpha"), committed():
        services.process_pending_for_site(alpha)
    ids = {item_of(alpha, p).pk for p in pages}
    assert ids <= set(one_by_one) and len(one_by_one) == len(set(one_by_one))
    assert any(ids <= set(batch) for batch in batches)
    # A batch-only consumer asked for one item by name gets a batch of one.
    item = item_of(alpha, pages[0])
    consumers.registered()["batch"](item, "resync")
    assert batches[-1] == [item.pk]


def test_a_batch_handler_failing_on_one_item_holds_back_only_that_item(
    alpha, committed, own_consumers
):
    pages = pending_pages(alpha, 3)
    bad_key = key_of(alpha, pages[1])

    def picky(changes):
        if any(item.item_key == bad_key for item, _ in changes):
            raise RuntimeError("this one item cannot be handled")

    consumers.register("picky", batch=picky)
    with schema_context("alpha"), committed():
        services.process_pending_for_site(alpha)
    steps = {
        s.item.item_key: s
        for s in ConsumerStep.objects.filter(
            consumer="picky", item__item_key__in=[key_of(alpha, p) for p in pages]
        ).select_related("item")
    }
    assert steps[bad_key].done_at is None and "cannot be handled" in steps[bad_key].last_error
    assert all(s.done_at for key, s in steps.items() if key != bad_key)
    # The sweep's retry, with the cause gone, finishes it.
    consumers.register("picky", batch=lambda changes: None)
    with schema_context("alpha"):
        assert consumers.run_pending([steps[bad_key].item_id]) == 1


def test_a_large_backlog_is_worked_by_several_site_tasks_at_once(alpha, monkeypatch, settings):
    """A resync of more rows than a batch sends one site task per batch, up to
    LIBRARY_TASKS_PER_SITE (each claims its own rows); a small one sends one."""
    from federation.library import tasks

    sent = []
    monkeypatch.setattr(
        services, "enqueue", lambda task, *args, schema, **kw: sent.append((task, schema))
    )
    settings.LIBRARY_TASKS_PER_SITE = 2
    monkeypatch.setattr(services, "OUTBOX_BATCH", 3)
    one_task = [(tasks.process_site_outbox, "alpha")]
    with schema_context("alpha"):
        pages = pending_pages(alpha, 7)
        sent.clear()

        services.record_page_events(pages[:3], Kind.RESYNC)
        assert sent == one_task

        sent.clear()
        services.record_page_events(pages, Kind.RESYNC)  # three batches, two tasks
        assert sent == one_task * 2

        sent.clear()
        settings.LIBRARY_TASKS_PER_SITE = 4
        services.record_page_events(pages, Kind.RESYNC)
        assert sent == one_task * 3
