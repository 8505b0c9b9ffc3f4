"""Visit counts: per site and page, without cookies or personal data, cached hits included."""

import pytest
from django.core.cache import caches
from django.test import Client
from django.utils import timezone

from federation.monitoring import visits
from federation.monitoring.models import VisitDay
from pagecache import integrations, middleware

pytestmark = pytest.mark.django_db
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120"


@pytest.fixture
def pagecache(settings):
    settings.PAGECACHE_ENABLED = True
    integrations.cancel_pending()
    caches["pages"].clear()
    middleware.forget_local_hosts()
    # Views counted by earlier tests in this process wait in the buffer: dropped, not flushed
    # into this test's transaction (alpha's home page was 5 instead of 4 once).
    with visits._lock:
        visits._buffer.clear()
    # and browser tests earlier in this process committed visits of their own: start from none
    VisitDay.objects.all().delete()
    visits._state["hosts_at"] = 0.0  # learn this database's domains
    yield
    integrations.cancel_pending()
    caches["pages"].clear()
    middleware.forget_local_hosts()


def views(website, path):
    row = VisitDay.objects.filter(website=website, day=timezone.localdate(), path=path).first()
    return row.views if row else 0


def test_page_views_are_counted_per_site_with_cached_hits_and_nothing_personal(
    pagecache, alpha, beta
):
    client = Client(HTTP_HOST="alpha.localhost", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="10.1.2.3")
    answers = [client.get("/") for _ in range(4)]
    assert [r.status_code for r in answers] == [200] * 4
    assert answers[-1]["X-Page-Cache"] == "hit"  # served before any view ran: still counted
    assert all("Set-Cookie" not in r for r in answers) and not client.cookies
    Client(HTTP_HOST="beta.localhost", HTTP_USER_AGENT=BROWSER).get("/")
    # not counted: a crawler, our own probes, a missing page, the admin, a HEAD
    Client(HTTP_HOST="alpha.localhost", HTTP_USER_AGENT="Baiduspider").get("/")
    Client(HTTP_HOST="alpha.localhost", HTTP_USER_AGENT="JiyueMonitor/1.0").get("/")
    client.get("/no-such-page/")
    client.get("/admin/login/")
    client.head("/")
    visits.flush()
    assert views(alpha, "/") == 4 and views(beta, "/") == 1
    assert not VisitDay.objects.filter(website=alpha).exclude(path="/").exists()
    # the rows hold a site, a day, a path and a number: no address, agent or cookie
    assert {f.name for f in VisitDay._meta.fields} == {"id", "website", "day", "path", "views"}
    client.get("/")
    visits.flush()
    assert views(alpha, "/") == 5  # added to the day's row
