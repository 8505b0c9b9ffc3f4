"""Two workers applying one site's outbox at once: committed data on two real connections
(no test transaction around them, so this module carries no django_db mark)."""

import threading

from django.db import connection, transaction
from django_tenants.utils import schema_context

from federation.library import services
from federation.library.models import LibraryItem, OutboxEvent
from tests.factories import make_article, unique

Kind = OutboxEvent.Kind


def key_of(website, page):
    return f"{website.schema_name}:{page.translation_key}"


def test_two_workers_never_take_the_same_row(django_db_setup, django_db_blocker, settings):
    """Two real transactions on two connections: while the first holds its batch open, the
    second takes the rows after it (SKIP LOCKED), never one of the first's."""
    first_inside, release, errors, claimed = threading.Event(), threading.Event(), [], {}
    settings.LIBRARY_PROJECTION_EXTRAS = [
        *settings.LIBRARY_PROJECTION_EXTRAS,
        f"{__name__}.hold_the_first_worker",
    ]
    _hold.update(inside=first_inside, release=release)

    def worker(name, size):
        try:
            with schema_context("alpha"):
                claimed[name] = services.process_batch(website, size)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    with django_db_blocker.unblock():
        from tenants.models import Website

        website = Website.objects.for_schema("alpha")
        with schema_context("alpha"):
            pages = [make_article(website, unique("并发同步"), "正文") for _ in range(6)]
        keys = [key_of(website, p) for p in pages]
        try:
            # Rows other tests committed and left waiting would be the oldest: applied first.
            with schema_context("alpha"):
                services.process_pending_for_site(website)
            # Their own rows were processed on commit; six fresh resync rows wait now.
            with schema_context("alpha"), transaction.atomic():
                OutboxEvent.objects.bulk_create(
                    OutboxEvent(
                        site=website, item_key=k, page_id=p.pk, event=Kind.RESYNC, version=v
                    )
                    for k, p, v in zip(keys, pages, services.next_versions(6), strict=True)
                )
            first = threading.Thread(target=worker, args=("first", 3), name="first-worker")
            first.start()
            assert first_inside.wait(20), (errors, claimed)
            second = threading.Thread(target=worker, args=("second", 50), name="second-worker")
            second.start()
            second.join(30)
            release.set()
            first.join(30)
            assert not errors, errors
            mine = set(OutboxEvent.objects.filter(item_key__in=keys).values_list("pk", flat=True))
            resync = set(
                OutboxEvent.objects.filter(item_key__in=keys, event=Kind.RESYNC).values_list(
                    "pk", flat=True
                )
            )
            assert len(claimed["first"]) == 3 and set(claimed["first"]) <= resync
            assert not set(claimed["first"]) & set(claimed["second"])
            assert resync <= set(claimed["first"]) | set(claimed["second"])
            rows = OutboxEvent.objects.filter(pk__in=mine)
            assert all(r.processed_at and r.attempts == 1 for r in rows)
        finally:
            _hold.clear()
            release.set()
            with schema_context("alpha"):
                for page in pages:
                    page.delete()
            LibraryItem.objects.filter(item_key__in=keys).delete()
            OutboxEvent.objects.filter(item_key__in=keys).delete()
            connection.close()


_hold: dict = {}


def hold_the_first_worker(page):
    """Keeps the first worker's batch open (its rows locked) until the test releases it."""
    if threading.current_thread().name == "first-worker" and _hold:
        _hold["inside"].set()
        _hold["release"].wait(20)
    return {}
