"""The outbox flow with a real Celery worker on Redis (DB 5), over the committed test database.

These tests publish committed pages on `alpha` (uniquely named) and watch a worker process
started as a subprocess: the worker reads the same test database through DATABASE_URL.
"""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from config.celery import app
from federation.library import services
from federation.library.models import LibraryItem, OutboxEvent
from federation.library.tasks import process_outbox_event
from tests.factories import make_article, unique
from tests.worker import other_sessions, redis_available, use_broker, wait_for, worker_database_url

pytestmark = pytest.mark.worker

BROKER = "redis://127.0.0.1:6379/5"  # this area's Redis database; never FLUSHALL
DEAD_BROKER = "redis://127.0.0.1:1/5"  # nothing listens on port 1
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker, tmp_path_factory):
    if not redis_available():
        pytest.skip("no Redis at 127.0.0.1:6379: `make services` starts one")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": worker_database_url(),
        "CELERY_BROKER_URL": BROKER,
        "PYTHONUNBUFFERED": "1",
    }
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    with django_db_blocker.unblock():
        use_broker(BROKER)
        app.control.purge()  # leftovers of an earlier run in this area's queue
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        if not wait_for(lambda: "ready." in log.read_text() or proc.poll() is not None, 60):
            pytest.fail("the worker did not start:\n" + log.read_text()[-3000:])
        if proc.poll() is not None:
            pytest.fail("the worker exited:\n" + log.read_text()[-3000:])
        django_db_blocker.unblock()
        yield proc, log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        use_broker(None)
        # The test database is dropped at the end of the session; wait until the worker's
        # connection has really gone, or DROP DATABASE finds it still "in use".
        wait_for(lambda: not other_sessions(), timeout=15, step=0.2)
        django_db_blocker.restore()


@pytest.fixture
def broker(worker):
    use_broker(BROKER)
    yield worker
    use_broker(None)
    connection.set_schema_to_public()


def item_for(page):
    return LibraryItem.objects.filter(item_key=f"alpha:{page.translation_key}").first()


def test_publishing_reaches_the_library_through_the_worker(broker):
    from tenants.services import get_site

    started = time.monotonic()
    page = make_article(get_site("alpha"), unique("经由任务队列发布"), "正文")
    item = wait_for(lambda: item_for(page))
    assert item is not None, "the worker never projected the page"
    assert not item.withdrawn and item.title == page.title
    print(f"publish → library through the worker: {time.monotonic() - started:.2f} s")
    event = OutboxEvent.objects.get(item_key=item.item_key)
    assert wait_for(lambda: OutboxEvent.objects.get(pk=event.pk).processed_at)


def test_with_the_broker_down_publishing_succeeds_at_once_and_the_sweep_delivers_later(broker):
    from tenants.services import get_site

    use_broker(DEAD_BROKER)
    started = time.monotonic()
    page = make_article(get_site("alpha"), unique("代理宕机时发布"), "正文")
    elapsed = time.monotonic() - started
    assert elapsed < 2.0, f"publishing waited {elapsed:.1f} s on a dead broker"
    with schema_context("alpha"):
        assert type(page).objects.get(pk=page.pk).live  # the publication itself stands
    row = OutboxEvent.objects.get(item_key=f"alpha:{page.translation_key}")
    assert row.processed_at is None
    time.sleep(1.0)
    assert item_for(page) is None  # nothing delivered while the broker is down
    # The sweep while the broker is still down hands nothing on, and loses nothing.
    assert services.sweep_outbox(older_than=timedelta(0)) == 0
    use_broker(BROKER)  # the broker is back
    assert services.sweep_outbox(older_than=timedelta(0)) >= 1
    assert wait_for(lambda: item_for(page)), "the sweep did not deliver the row"
    assert wait_for(lambda: OutboxEvent.objects.get(pk=row.pk).processed_at)


def test_duplicate_delivery_is_idempotent(broker):
    from tenants.services import get_site

    page = make_article(get_site("alpha"), unique("重复投递"), "正文")
    item = wait_for(lambda: item_for(page))
    event = OutboxEvent.objects.get(item_key=item.item_key)
    assert wait_for(lambda: OutboxEvent.objects.get(pk=event.pk).processed_at)
    before = LibraryItem.objects.get(pk=item.pk)
    # The same row delivered again, and again after being marked unprocessed (a redelivery
    # after a crash between projecting and marking): no new row, no re-projection.
    OutboxEvent.objects.filter(pk=event.pk).update(processed_at=None)
    with schema_context("alpha"):
        for _ in range(3):
            process_outbox_event.apply_async(args=[event.pk])
    assert wait_for(lambda: OutboxEvent.objects.get(pk=event.pk).processed_at)
    time.sleep(1.0)
    after = LibraryItem.objects.get(pk=item.pk)
    assert LibraryItem.objects.filter(item_key=item.item_key).count() == 1
    assert (after.version, after.projected_at) == (before.version, before.projected_at)


def test_a_site_task_sent_without_a_site_fails_loudly_on_the_worker(broker):
    _, log = broker
    from tenants.services import get_site

    page = make_article(get_site("alpha"), unique("无站点任务"), "正文")
    event = OutboxEvent.objects.get(item_key=f"alpha:{page.translation_key}")
    assert wait_for(lambda: OutboxEvent.objects.get(pk=event.pk).processed_at)
    OutboxEvent.objects.filter(pk=event.pk).update(processed_at=None)
    connection.set_schema_to_public()
    process_outbox_event.apply_async(args=[event.pk])  # no schema_context: the public schema
    assert wait_for(lambda: "needs a site but ran in the public schema" in log.read_text()), (
        log.read_text()[-2000:]
    )
    assert OutboxEvent.objects.get(pk=event.pk).processed_at is None  # nothing done quietly
    OutboxEvent.objects.filter(pk=event.pk).update(processed_at=event.processed_at)
