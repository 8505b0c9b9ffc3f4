"""Tasks run in their site's schema on a real worker; a task sent with no site fails loudly."""

import pytest
from django_tenants.utils import schema_context

from sites.core.tasks import live_page_count
from tests.worker import celery_worker, sending_to

pytestmark = pytest.mark.worker
QUEUE = "jiyue-test-core"


@pytest.fixture(scope="module")
def broker(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), celery_worker(redis_db=1, queue=QUEUE) as url:
        yield url


def test_task_runs_in_the_schema_it_was_sent_from(broker, django_db_blocker):
    with django_db_blocker.unblock(), sending_to(broker) as wait:
        with schema_context("alpha"):
            from wagtail.models import Page

            expected_alpha = Page.objects.live().count()
            alpha = live_page_count.apply_async(queue=QUEUE)
        with schema_context("beta"):
            beta = live_page_count.apply_async(queue=QUEUE)
        assert wait(alpha) == {"schema": "alpha", "live_pages": expected_alpha}
        assert wait(beta)["schema"] == "beta"


def test_task_sent_without_a_site_fails_loudly(broker, django_db_blocker):
    with django_db_blocker.unblock(), sending_to(broker) as wait:
        result = live_page_count.apply_async(queue=QUEUE)
        with pytest.raises(RuntimeError, match="needs a site but ran in the public schema"):
            wait(result)


def test_enqueue_waits_for_commit_and_keeps_the_schema(
    db, alpha, monkeypatch, django_capture_on_commit_callbacks
):
    """Without a broker (eager), enqueue() runs the task only after commit, in its site."""
    from django.db import connection

    from config.tasks import enqueue

    ran_in = []
    monkeypatch.setattr(live_page_count, "run", lambda: ran_in.append(connection.schema_name))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue(live_page_count, schema="alpha")
    assert ran_in == [] and len(callbacks) == 1  # nothing runs before the commit
    callbacks[0]()
    assert ran_in == ["alpha"]
