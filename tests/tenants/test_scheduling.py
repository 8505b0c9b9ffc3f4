"""Scheduled publishing and expiry run by themselves (I4)."""

import datetime
import time
from unittest import mock

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from config import periodic
from config.celery import app
from sites.disclosure.models import DisclosureArticlePage
from tenants import scheduling, tasks
from tests.sites.disclosure.factories import make_article


def schedule(page, go_live_in=None, expire_in=None):
    now = timezone.now()
    if go_live_in is not None:
        page.go_live_at = now + datetime.timedelta(seconds=go_live_in)
    if expire_in is not None:
        page.expire_at = now + datetime.timedelta(seconds=expire_in)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def test_go_live_and_expiry_in_one_site(in_alpha):
    # An hour ahead, and the clock moved rather than slept on: a 1-second window failed CI on
    # a slow machine (more than a second passed between scheduling and the first sweep).
    due = schedule(make_article(publish=False, title="定时发布的通知"), go_live_in=3600)
    expiring = schedule(make_article(publish=False, title="到期下线的通知"), expire_in=3600)
    assert not due.live and expiring.live
    scheduling.publish_scheduled_for_site("alpha")
    due.refresh_from_db()
    expiring.refresh_from_db()
    assert not due.live and expiring.live  # not yet
    two_hours_later = timezone.now() + datetime.timedelta(hours=2)
    with mock.patch("django.utils.timezone.now", return_value=two_hours_later):
        scheduling.publish_scheduled_for_site("alpha")
    due.refresh_from_db()
    expiring.refresh_from_db()
    assert due.live and not expiring.live and expiring.expired


def test_a_frozen_site_publishes_nothing_until_it_is_unfrozen(in_alpha):
    """A site frozen after a defacement must not let a page an intruder scheduled go live."""
    from tenants import services as lifecycle

    due = schedule(make_article(publish=False, title="冻结期间到期的信息"), go_live_in=3600)
    expiring = schedule(make_article(publish=False, title="冻结期间到期下线的信息"), expire_in=3600)
    with schema_context("public"):
        lifecycle.freeze(in_alpha, "网页被篡改")
    two_hours_later = timezone.now() + datetime.timedelta(hours=2)
    with mock.patch("django.utils.timezone.now", return_value=two_hours_later):
        scheduling.publish_scheduled_everywhere()
        due.refresh_from_db()
        expiring.refresh_from_db()
        assert not due.live and expiring.live
        with schema_context("public"):
            lifecycle.unfreeze(in_alpha)
        scheduling.publish_scheduled_everywhere()
    due.refresh_from_db()
    expiring.refresh_from_db()
    assert due.live and not expiring.live


def test_beat_schedules_the_sweep_and_the_task_publishes(
    in_alpha, django_capture_on_commit_callbacks
):
    entry = settings.CELERY_BEAT_SCHEDULE["publish-scheduled-pages"]
    assert entry["task"] in app.tasks and entry["schedule"] <= 60
    due = schedule(make_article(publish=False, title="任务发布的通知"), go_live_in=1)
    time.sleep(1.1)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.publish_scheduled_all_sites.apply()
    due.refresh_from_db()
    assert due.live


def test_the_in_process_runner_publishes_without_anyone_asking(django_db_setup, django_db_blocker):
    """Committed data, the runner's own thread and connection, nothing called by hand."""
    with django_db_blocker.unblock():
        with schema_context("alpha"):
            page = schedule(
                make_article(publish=False, title=f"自动定时发布{time.time_ns()}"), go_live_in=1
            )
            assert not page.live
        connection.set_schema_to_public()
        entry = settings.CELERY_BEAT_SCHEDULE["publish-scheduled-pages"]
        runner = periodic.Runner(
            {"publish-scheduled-pages": {**entry, "schedule": 0.3}}, tick=0.1, first_delay=0
        )
        runner.start()
        try:
            deadline = time.monotonic() + 15
            live = False
            counted = False
            while time.monotonic() < deadline and not (live and counted):
                time.sleep(0.3)
                with schema_context("alpha"):
                    live = DisclosureArticlePage.objects.get(pk=page.pk).live
                # the entry commits its work before run_entry returns and the runner counts it
                counted = runner.runs["publish-scheduled-pages"] >= 1
            assert live, "the runner did not publish the scheduled page"
            assert runner.runs["publish-scheduled-pages"] >= 1
        finally:
            runner.stop()
            runner.join(30)
            assert not runner.is_alive()
            with schema_context("alpha"):
                DisclosureArticlePage.objects.get(pk=page.pk).delete()
            connection.close()


NAME = "publish-scheduled-pages"
ENTRY = settings.CELERY_BEAT_SCHEDULE[NAME]


def test_only_one_sweep_at_a_time(django_db_setup, django_db_blocker):
    """A second process (here: a second connection) skips while one sweep holds the lock."""
    import threading

    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", [periodic.LOCK_SPACE, NAME])
        try:
            result = []
            thread = threading.Thread(
                target=lambda: (result.append(periodic.run_entry(NAME, ENTRY)), connection.close())
            )
            thread.start()
            thread.join(10)
            assert result == [False]
        finally:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_unlock(%s, hashtext(%s))", [periodic.LOCK_SPACE, NAME]
                )
            # Committed-data tests open their own connection: close it, or the test database
            # cannot be dropped at the end (after Playwright's event loop, asgiref may hand
            # teardown a different connection object than this test used).
            connection.close()


def test_the_runner_is_not_started_when_a_broker_does_the_job(settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/3"
    assert periodic.start_in_process() is None
