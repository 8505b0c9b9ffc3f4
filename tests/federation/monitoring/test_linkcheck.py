"""The link checker against a real server of the platform and loopback stand-ins for outside
hosts: known broken links found per page, outbound checks only when switched on, robots.txt
and the per-host pace respected, a one-page re-check."""

import pytest

from federation.monitoring import linkcheck
from federation.monitoring.models import BrokenLink

pytestmark = pytest.mark.django_db

FIRST, SECOND = "/bmdt/", "/tzgg/"


@pytest.fixture
def platform(settings, platform_server):
    settings.MONITORING_BASE_URL = platform_server
    settings.MONITORING_LINKCHECK_TIMEOUT = 5
    return platform_server


def broken(website):
    return {
        (
            b.page_title,
            b.url.rsplit(":", 1)[-1] if "127.0.0.1" in b.url else b.url,
            b.kind,
            b.status,
        )
        for b in BrokenLink.objects.filter(website=website)
    }


def test_broken_links_per_page_and_no_outbound_traffic_when_off(
    platform, linked_site, outside, settings
):
    settings.MONITORING_CHECK_OUTBOUND = False
    outside.requests.clear()
    run = linkcheck.check_site(linked_site)
    found = {
        (b.page_title, b.url, b.kind, b.status)
        for b in BrokenLink.objects.filter(website=linked_site)
    }
    assert found == {
        ("第一篇", "http://linkcheck.localhost/no-such-page/", "internal", 404),
        ("第一篇", "http://linkcheck.localhost/documents/99999/gone.pdf", "attachment", 404),
    }
    assert outside.requests == []  # nothing was sent outside the platform
    assert run.skipped == 3 and run.broken == 2 and run.pages >= 10
    [row] = BrokenLink.objects.filter(website=linked_site, kind="internal")
    assert row.page_path.startswith(FIRST) and not row.on_home


def test_outbound_links_checked_politely_when_on(platform, linked_site, outside, settings):
    settings.MONITORING_CHECK_OUTBOUND = True
    settings.MONITORING_LINKCHECK_HOST_INTERVAL = 0.2
    outside.requests.clear()
    run = linkcheck.check_site(linked_site)
    outbound = {
        (b.page_title, b.url.replace(outside.url, ""), b.status)
        for b in BrokenLink.objects.filter(website=linked_site, kind="outbound")
    }
    assert outbound == {("第一篇", "/missing", 404), ("第二篇", "/missing", 404)}
    paths = [path for _, _, path in outside.requests]
    assert sorted(paths) == ["/missing", "/ok", "/robots.txt"]  # each URL once; robots obeyed
    times = sorted(t for t, _, _ in outside.requests)
    gaps = [round(b - a, 3) for a, b in zip(times, times[1:], strict=False)]
    assert all(g >= 0.19 for g in gaps), (gaps, outside.requests)  # the host's pace
    assert run.skipped == 1  # /private/x
    # a link to another site of the platform goes through the platform's server, and works
    assert not BrokenLink.objects.filter(website=linked_site, kind="platform").exists()


def test_recheck_one_page_after_a_fix(platform, linked_site, outside, settings):
    settings.MONITORING_CHECK_OUTBOUND = True
    settings.MONITORING_LINKCHECK_HOST_INTERVAL = 0
    linkcheck.check_site(linked_site)
    second = BrokenLink.objects.get(website=linked_site, page_title="第二篇")
    outside.pages[("*", "/missing")] = (200, "fixed")  # the target is back
    try:
        linkcheck.check_site(linked_site, [second.page_path])
    finally:
        del outside.pages[("*", "/missing")]
    assert not BrokenLink.objects.filter(website=linked_site, page_title="第二篇").exists()
    assert BrokenLink.objects.filter(website=linked_site, page_title="第一篇").count() == 3


def test_the_webmaster_rechecks_a_page_from_the_admin_and_no_other_site_can(
    platform, linked_site, outside, settings, alpha, committed
):
    from tests.clients import admin_client

    settings.MONITORING_CHECK_OUTBOUND = True
    settings.MONITORING_LINKCHECK_HOST_INTERVAL = 0
    client = admin_client(linked_site)
    with committed():  # the whole site: a task, run once the request's work commits
        answer = client.post("/admin/monitoring/links/recheck/", follow=True)
    assert "已开始全站链接检查" in answer.content.decode()
    listing = client.get("/admin/monitoring/links/").content.decode()
    assert "第一篇" in listing and "/no-such-page/" in listing and "改好了，重新检查" in listing
    second = BrokenLink.objects.get(website=linked_site, page_title="第二篇").page_path
    # another site's webmaster cannot re-check (or see) this site's page
    answer = admin_client(alpha).post(
        "/admin/monitoring/links/recheck/", {"page_path": second}, follow=True
    )
    assert "没有待复查的失效链接" in answer.content.decode()
    outside.pages[("*", "/missing")] = (200, "fixed")
    try:
        answer = client.post("/admin/monitoring/links/recheck/", {"page_path": second}, follow=True)
    finally:
        del outside.pages[("*", "/missing")]
    assert "该页面的链接都已正常" in answer.content.decode()
    assert not BrokenLink.objects.filter(website=linked_site, page_title="第二篇").exists()


def test_probes_through_the_platforms_own_server(platform, linked_site):
    from federation.monitoring import probes

    rows = {r.path: r for r in probes.probe_round([linked_site])}
    assert rows["/"].ok and rows["/"].status == 200 and len(rows["/"].fingerprint) == 64
    assert rows["/search/"].ok
    again = {r.path: r for r in probes.probe_round([linked_site])}
    assert again["/"].fingerprint == rows["/"].fingerprint  # a nonce or token changes nothing
