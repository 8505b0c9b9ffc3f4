"""Without a broker the web process runs the beat schedule itself (config.periodic)."""

import time
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from config import periodic
from federation.library.models import ConsumerStep, LibraryItem, OutboxEvent
from federation.search.models import SearchDocument
from tenants import services
from tests.factories import make_article, unique


def test_every_beat_entry_is_run_in_process():
    runner = periodic.Runner(first_delay=0)
    assert set(runner.entries) == set(settings.CELERY_BEAT_SCHEDULE)
    assert {
        "publish-scheduled-pages",
        "library-sweep-outbox",
        "library-sweep-consumers",
        "syndication-sweep-deliveries",
        "syndication-broadcast-boundaries",
    } <= set(runner.entries)


def test_an_entry_only_beat_can_run_is_reported_not_guessed(caplog):
    from celery.schedules import crontab

    runner = periodic.Runner(
        {"nightly": {"task": "library.prune_outbox", "schedule": crontab(hour=3)}}
    )
    assert runner.entries == {}
    assert "only a Celery beat can run" in caplog.text


def test_the_runner_catches_the_library_outbox_up(django_db_setup, django_db_blocker):
    """A publication whose task was lost (a broker that died, a search cluster that was down)
    reaches the search index with nobody calling anything: the runner's sweep finds its row."""
    with django_db_blocker.unblock():
        alpha = services.get_site("alpha")
        page = make_article(alpha, unique("补发的信息"), "正文")
        key = f"alpha:{page.translation_key}"
        try:
            assert SearchDocument.objects.filter(item__item_key=key).exists()
            # As if its task had never run: the row waits, the library and the index lack it.
            OutboxEvent.objects.filter(item_key=key).update(
                processed_at=None,
                last_attempt_at=None,
                created_at=timezone.now() - timedelta(hours=1),
            )
            LibraryItem.objects.filter(item_key=key).delete()  # its index row goes with it
            entry = settings.CELERY_BEAT_SCHEDULE["library-sweep-outbox"]
            runner = periodic.Runner(
                {"library-sweep-outbox": {**entry, "schedule": 0.2}}, tick=0.1, first_delay=0
            )
            runner.start()
            try:
                deadline = time.monotonic() + 15
                while time.monotonic() < deadline:
                    # Both: the sweep commits its work before run_entry returns and counts it.
                    indexed = SearchDocument.objects.filter(item__item_key=key).exists()
                    if indexed and runner.runs["library-sweep-outbox"] >= 1:
                        break
                    time.sleep(0.2)
                assert SearchDocument.objects.filter(item__item_key=key).exists(), "not caught up"
                assert not OutboxEvent.objects.filter(
                    item_key=key, processed_at__isnull=True
                ).exists()
                assert runner.runs["library-sweep-outbox"] >= 1
            finally:
                runner.stop()
                runner.join(30)
                assert not runner.is_alive()
        finally:
            with schema_context("alpha"):
                page.delete()
            connection.set_schema_to_public()
            SearchDocument.objects.filter(item__item_key=key).delete()
            OutboxEvent.objects.filter(item_key=key).delete()
            LibraryItem.objects.filter(item_key=key).delete()
            connection.close()


def test_the_runner_completes_a_consumer_step_a_crash_left_pending(
    django_db_setup, django_db_blocker
):
    """The library committed the projection, then the process died before search had it: the
    step left pending is run by the runner's consumer sweep, with nobody calling anything."""
    with django_db_blocker.unblock():
        alpha = services.get_site("alpha")
        page = make_article(alpha, unique("未进索引的信息"), "正文")
        key = f"alpha:{page.translation_key}"
        try:
            item = LibraryItem.objects.get(item_key=key)
            SearchDocument.objects.filter(item=item).delete()
            ConsumerStep.objects.filter(item=item, consumer="search").update(
                done_at=None, last_attempt_at=None, scheduled_at=timezone.now() - timedelta(hours=1)
            )
            entry = settings.CELERY_BEAT_SCHEDULE["library-sweep-consumers"]
            runner = periodic.Runner(
                {"library-sweep-consumers": {**entry, "schedule": 0.2}}, tick=0.1, first_delay=0
            )
            runner.start()
            try:
                deadline = time.monotonic() + 15
                while (
                    time.monotonic() < deadline
                    and not SearchDocument.objects.filter(item=item).exists()
                ):
                    time.sleep(0.2)
                assert SearchDocument.objects.filter(item=item).exists(), "not caught up"
                assert ConsumerStep.objects.get(item=item, consumer="search").done_at is not None
            finally:
                runner.stop()
                runner.join(30)
                assert not runner.is_alive()
        finally:
            with schema_context("alpha"):
                page.delete()
            connection.set_schema_to_public()
            LibraryItem.objects.filter(item_key=key).delete()
            OutboxEvent.objects.filter(item_key=key).delete()
            connection.close()


def test_a_fresh_web_process_knows_every_entrys_task():
    """Found on a fresh `make run`: a web process imports no tasks module, so each entry's
    task must be found by the runner itself (pytest has imported them all already)."""
    import subprocess
    import sys

    code = (
        "import django; django.setup(); from config.periodic import Runner; "
        "from config.celery import app; from django.conf import settings; r = Runner(); "
        "print(sorted(r.entries) == sorted(settings.CELERY_BEAT_SCHEDULE) "
        "and all(e['task'] in app.tasks for e in settings.CELERY_BEAT_SCHEDULE.values()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
    )
    assert out.stdout.strip().splitlines()[-1] == "True", out.stderr[-2000:]


def test_an_entry_whose_task_closes_the_connection_runs_and_frees_its_lock(
    django_db_setup, django_db_blocker
):
    """Refilling the spare schemas closes the connection (tenants.spares): the runner must not
    fail on releasing a lock that went with the session, and the entry can run again."""
    from config.celery import app

    @app.task(name="tests.periodic.close_connection")
    def close_connection():
        connection.close()

    entry = {"task": "tests.periodic.close_connection"}
    with django_db_blocker.unblock():
        assert periodic.run_entry("closes-its-connection", entry)
        assert periodic.run_entry("closes-its-connection", entry)  # the lock is free again
