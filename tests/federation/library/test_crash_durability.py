"""A worker killed at any step of the publishing flow loses nothing and duplicates nothing.

A real Celery worker on Redis (DB 6) runs the flow of a page published on a district site of
these tests' own, which the portal gathers by subscription into a column of their own (the
soak's hundreds of pages must not crowd the pages other tests list): outbox task → projection → consumers (search index,
syndication) → delivery task on the portal → copy. `tests/crashing_worker.py` kills the worker
with SIGKILL at the boundary a test names (a hook, not timing); a plain worker then takes
over, the sweeps run, and everything must be there exactly once: the library item, its index
row, the delivery, the copy on the portal. The soak does the same for hundreds of pages with
two kills along the way.
"""

import time
from datetime import timedelta

import pytest
import redis
from django.db import connection
from django_tenants.utils import schema_context

from federation.library import consumers
from federation.library import services as library
from federation.library.models import ConsumerStep, ItemType, LibraryItem, OutboxEvent
from federation.search.models import SearchDocument
from federation.syndication import deliveries
from federation.syndication.models import Audience, Delivery, Subscription
from sites.core.models import ColumnPage, HomePage
from sites.syndicated.models import SyndicatedPage
from tenants.models import Website
from tenants.services import get_site, provision_site
from tests.factories import RESPONSIBILITY, make_article, unique
from tests.worker import WorkerProcess, other_sessions, redis_available, use_broker, wait_for

pytestmark = pytest.mark.worker

BROKER = "redis://127.0.0.1:6379/6"  # this test's Redis database; never FLUSHALL
SITE = "crashdist"
PORTAL_COLUMN = "crash-copies"

# Where a worker can die, in the order the flow reaches them.
BOUNDARIES = {
    "task received, nothing done": "federation.library.services:process_event:before",
    "projection committed, no consumer ran": "federation.library.consumers:run_pending:before",
    "indexed, syndication not yet": "federation.search.backends.postgres:PostgresBackend.index_items:after",
    "syndication done, its step not marked": "consumer:syndication:after",
    "delivery recorded, its task not sent": "federation.syndication.deliveries:send_delivery:before",
    "copy published, not committed": "wagtail.models:Revision.publish:after",
}


@pytest.fixture(scope="module")
def places(django_db_setup, django_db_blocker, portal_schema):
    """A district site and a portal column of these tests' own (committed, made once)."""
    with django_db_blocker.unblock():
        site = (
            Website.objects.for_schema(SITE)
            or provision_site(
                kind="district",
                legal_name="乌海市崩溃测试区人民政府",
                short_name="崩溃测试区",
                domain=f"{SITE}.localhost",
                schema_name=SITE,
                **RESPONSIBILITY,
            ).website
        )
        with schema_context(portal_schema):
            if not ColumnPage.objects.filter(slug=PORTAL_COLUMN).exists():
                HomePage.objects.get().add_child(
                    instance=ColumnPage(
                        title="崩溃测试转载",
                        slug=PORTAL_COLUMN,
                        column_type=ColumnPage.ColumnType.NEWS,
                    )
                )
        connection.set_schema_to_public()
        return site


@pytest.fixture
def flow(places, django_db_blocker, portal_schema, tmp_path_factory):
    """Committed data, tasks sent to Redis, and the portal gathering the test site's news, for one
    test: the test process's Celery settings are global, and a test after this one must find
    tasks run in-process again and no subscription of ours."""
    if not redis_available():
        pytest.skip("no Redis at 127.0.0.1:6379: `make services` starts one")
    with django_db_blocker.unblock():
        use_broker(BROKER)
        # This test owns its Redis database: empty it, unacknowledged messages included. A worker
        # killed in an earlier run leaves its reserved task there, and Redis hands it back an
        # hour later, to whichever worker starts next: a crashing one would die on it.
        redis.Redis.from_url(BROKER).flushdb()
        portal = get_site(portal_schema)
        subscription = Subscription.objects.create(
            name=unique("崩溃测试订阅"),
            target=portal,
            column_slug=PORTAL_COLUMN,
            audience=Audience.CHOSEN,
            item_types=[ItemType.NEWS],
            requires_review=False,
        )
        subscription.sources.set([places])
        workers = []

        def start(name, crash_at=None, crash_after=1):
            """The only worker on the queue from now on: the ones before it are stopped."""
            for earlier in workers:
                earlier.stop()
            logs = tmp_path_factory.mktemp("workers")
            env = {"CRASH_MARKER": str(logs / "crashed")}
            if crash_at:
                env |= {"CRASH_AT": crash_at, "CRASH_AFTER": str(crash_after)}
            worker = WorkerProcess(
                BROKER, logs / f"{name}.log", app="tests.crashing_worker", env=env
            )
            worker.marker = logs / "crashed"
            workers.append(worker)
            return worker

        try:
            yield {"site": places, "portal": portal, "start": start}
        finally:
            for worker in workers:
                worker.stop()
            use_broker(None)
            subscription.delete()
            connection.set_schema_to_public()
            wait_for(lambda: not other_sessions(), timeout=15, step=0.2)


def sweep_now():
    """Every sweep once, without the grace period (the rows' first tasks are long dead)."""
    connection.set_schema_to_public()
    library.sweep_outbox(older_than=timedelta(0))
    consumers.sweep(older_than=timedelta(0))
    deliveries.sweep_deliveries(older_than=timedelta(0))


def state(pages, portal) -> dict:
    """What the flow left behind for these pages, counted row by row."""
    keys = [f"{SITE}:{page.translation_key}" for page in pages]
    items = list(LibraryItem.objects.filter(item_key__in=keys))
    with schema_context(portal.schema_name):
        copies = list(
            SyndicatedPage.objects.filter(syndication_key__in=keys).values_list(
                "syndication_key", "live", "library_version"
            )
        )
    connection.set_schema_to_public()
    by_key = {item.item_key: item for item in items}
    delivered = Delivery.objects.filter(item__in=items, target=portal)
    return {
        "items": len(items),
        "current": sum(1 for item in items if not item.withdrawn),
        "indexed": SearchDocument.objects.filter(item__in=items).count(),
        "deliveries": delivered.count(),
        "delivered": delivered.filter(status=Delivery.Status.DELIVERED).count(),
        "copies": len(copies),
        "live copies up to date": sum(
            1
            for key, live, version in copies
            if live and key in by_key and version == by_key[key].version
        ),
        "pending outbox rows": OutboxEvent.objects.filter(
            item_key__in=keys, processed_at__isnull=True
        ).count(),
        "pending consumer steps": ConsumerStep.objects.filter(
            item__in=items, done_at__isnull=True
        ).count(),
    }


def complete(count: int) -> dict:
    return {
        "items": count,
        "current": count,
        "indexed": count,
        "deliveries": count,
        "delivered": count,
        "copies": count,
        "live copies up to date": count,
        "pending outbox rows": 0,
        "pending consumer steps": 0,
    }


def converge(pages, portal, timeout=90.0) -> dict:
    """Sweep until the flow has caught up with every page (a sweep can start work that the
    next one finishes: a delivery recorded by a consumer step the sweep re-ran)."""
    expected = complete(len(pages))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sweep_now()
        found = wait_for(lambda: state(pages, portal) == expected and expected, timeout=5)
        if found:
            return state(pages, portal)
    return state(pages, portal)


@pytest.mark.parametrize("boundary", list(BOUNDARIES))
def test_a_worker_killed_at_a_step_boundary_loses_and_duplicates_nothing(flow, boundary):
    crashing = flow["start"]("crashing", BOUNDARIES[boundary])
    page = make_article(flow["site"], unique("崩溃测试"), "正文", column="gzdt")
    assert wait_for(lambda: crashing.killed, timeout=60), (
        f"the worker did not die at {boundary}:\n{crashing.log_path.read_text()[-3000:]}"
    )
    assert crashing.marker.read_text() == BOUNDARIES[boundary]
    flow["start"]("after")
    assert converge([page], flow["portal"]) == complete(1)


# The slowest tests: about 4 min on a loaded 2-core machine (the default bound is 600 s).
@pytest.mark.timeout(1200)
def test_soak_hundreds_of_publishes_and_two_kills(flow):
    """200 pages published while the worker is killed twice at different boundaries."""
    successors = [
        ("soak-2", BOUNDARIES["syndication done, its step not marked"], 60),
        ("soak-3", None, 1),
    ]
    worker = flow["start"](
        "soak-1", BOUNDARIES["projection committed, no consumer ran"], crash_after=40
    )
    kills = 0

    def replace_if_killed():
        nonlocal worker, kills
        if worker.killed:
            kills += 1
            worker = flow["start"](*successors[kills - 1])

    pages = []
    started = time.monotonic()
    for n in range(200):
        pages.append(
            make_article(flow["site"], unique(f"压力测试{n}"), f"第{n}篇正文", column="gzdt")
        )
        replace_if_killed()
    published = time.monotonic()
    while kills < 2:  # the queue still holds work: the workers die on it, one after the other
        assert wait_for(lambda: worker.killed, timeout=120), f"worker alive after {kills} kill(s)"
        replace_if_killed()
    killed = time.monotonic()
    found = converge(pages, flow["portal"], timeout=240)
    print(
        f"soak: published 200 in {published - started:.1f} s, second kill {killed - published:.1f} s "
        f"later, converged {time.monotonic() - killed:.1f} s after that"
    )
    assert found == complete(200), found
