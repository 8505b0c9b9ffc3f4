"""Probes against a local server that fails, hangs and changes its home page on purpose."""

import datetime
import time

import pytest
from django.core import mail

from federation.monitoring import probes
from federation.monitoring.models import DefacementAlert, IndicatorSetting, ProbeResult
from security.roles import WEBMASTER
from tests.factories import make_article, make_user, unique

from . import servers

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake(settings):
    behaviour = servers.Behaviour()
    server, url = servers.start(behaviour)
    settings.MONITORING_BASE_URL = url
    settings.PROBE_ENTRY_POINTS = [("首页", "/"), ("站内搜索", "/search/"), ("信箱", "/mail/")]
    # A one-second timeout keeps the hanging case short (the default is the national 15 s).
    IndicatorSetting.objects.update_or_create(
        key="availability.timeout_seconds",
        defaults=dict(label="探测超时（秒）", value=1, default=15),
    )
    yield behaviour
    server.shutdown()


def test_a_hung_site_does_not_delay_the_others_and_failures_are_recorded(fake, alpha, beta, portal):
    fake.hang.add("alpha.localhost")
    fake.pages[("beta.localhost", "/")] = (500, "<h1>Server Error</h1>")
    fake.pages[("*", "/")] = (200, servers.home("门户"))
    fake.pages[("*", "/search/")] = (200, "<main>搜索</main>")
    started = time.monotonic()
    rows = probes.probe_round([alpha, beta, portal])
    assert time.monotonic() - started < 3  # alpha hangs for 5 s; the round waits 1 s for it
    by = {(r.website_id, r.path): r for r in rows}
    hung = by[(alpha.pk, "/")]
    assert not hung.ok and hung.status is None and hung.error.startswith("超时")
    assert (alpha.pk, "/search/") not in by  # its other entry points wait for the next round
    failed = by[(beta.pk, "/")]
    assert (failed.ok, failed.status, failed.error) == (False, 500, "HTTP 500")
    assert by[(portal.pk, "/")].ok and by[(portal.pk, "/")].fingerprint
    assert by[(portal.pk, "/search/")].ok
    mailbox = by[(portal.pk, "/mail/")]
    assert mailbox.absent and not mailbox.ok  # the site has no mailbox: neither for nor against
    assert ProbeResult.objects.filter(website=portal).count() == 3
    # the site's Host header reached the server: each site was asked for itself
    assert {host for _, host, _ in fake.requests} == {
        "alpha.localhost",
        "beta.localhost",
        portal.primary_domain,
    }


def test_an_unexplained_home_page_change_raises_a_defacement_alert(
    fake, beta, monkeypatch, settings
):
    monkeypatch.setattr(probes, "EXPLAIN_MARGIN", datetime.timedelta(0))
    # no emergency intake registered: monitoring mails the responsible people itself
    # (with one, its notice is the one mail: tests/tenants/incidents/test_intake.py)
    settings.MONITORING_ALERT_RECEIVERS = []
    fake.pages[("beta.localhost", "/")] = (200, servers.home("乌海市乙局"))
    probes.probe_round([beta])
    probes.probe_round([beta])  # only what is around <main> changed (a nonce, a time)
    assert not DefacementAlert.objects.filter(website=beta).exists()
    beta.contact_email = "office@beta.example.cn"
    beta.save(update_fields=["contact_email"])
    make_user(beta, unique("wm"), role=WEBMASTER, email="webmaster@beta.example.cn")
    make_user(beta, unique("ed"), email="editor@beta.example.cn")  # not responsible
    mail.outbox.clear()
    fake.pages[("beta.localhost", "/")] = (200, servers.home("黑客到此一游"))
    probes.probe_round([beta])
    [alert] = DefacementAlert.objects.filter(website=beta)
    assert alert.status == "open" and "黑客到此一游" in alert.excerpt
    [message] = mail.outbox  # the portal (the office) has nobody with an address here
    assert "疑似篡改" in message.subject and "/admin/monitoring/" in message.body
    assert message.to == ["office@beta.example.cn", "webmaster@beta.example.cn"]
    probes.probe_round([beta])  # the same (changed) content: no second alert
    assert DefacementAlert.objects.filter(website=beta).count() == 1


def test_a_publish_explains_a_home_page_change(fake, beta, monkeypatch):
    monkeypatch.setattr(probes, "EXPLAIN_MARGIN", datetime.timedelta(0))
    fake.pages[("beta.localhost", "/")] = (200, servers.home("首页 A"))
    probes.probe_round([beta])
    make_article(beta, "新发布的动态", column="bmdt")  # logged: wagtail.publish
    fake.pages[("beta.localhost", "/")] = (200, servers.home("首页 A 新发布的动态"))
    probes.probe_round([beta])
    assert not DefacementAlert.objects.filter(website=beta).exists()


def test_fingerprint_reads_main_text_and_links_only():
    a = servers.home("同一正文", nonce="x").encode()
    b = servers.home("同一正文", nonce="y").encode()
    c = servers.home("另一正文").encode()
    assert probes.fingerprint(a) == probes.fingerprint(b) != probes.fingerprint(c)


def test_a_round_runs_where_an_event_loop_is_already_running():
    """`manage.py sweep` in a process whose thread has a running loop (Playwright's sync API in
    the test suite) failed with "asyncio.run() cannot be called from a running event loop"."""
    import asyncio
    import concurrent.futures

    from federation.monitoring import http

    async def answer():
        return 42

    async def inside_a_loop():
        return http.run(answer())

    # on a thread of its own: this test's own thread may hold Playwright's loop already
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(asyncio.run, inside_a_loop()).result() == 42


def test_a_chinese_path_is_requested_percent_encoded():
    """The request line is ASCII: a link to a page with a Chinese slug went out as "????", a
    different and broken URL, so every such link looked broken (and hit the server's 500s)."""
    import socket
    import threading

    from federation.monitoring import http

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    seen = []

    def answer():
        conn, _ = server.accept()
        seen.append(conn.recv(4096).split(b"\r\n", 1)[0])
        conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")
        conn.close()

    thread = threading.Thread(target=answer)
    thread.start()
    port = server.getsockname()[1]
    response = http.run(
        http.fetch(
            "http://alpha.localhost/gzdt/冬季供暖/?q=通知",
            timeout=5,
            connect_to=f"http://127.0.0.1:{port}",
        )
    )
    thread.join(5)
    server.close()
    assert response.status == 200
    assert seen == [
        b"GET /gzdt/%E5%86%AC%E5%AD%A3%E4%BE%9B%E6%9A%96/?q=%E9%80%9A%E7%9F%A5 HTTP/1.0"
    ]
