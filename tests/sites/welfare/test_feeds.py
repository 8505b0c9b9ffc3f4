"""Feed import over HTTP from a local server (loopback only): good, malformed, partial,
unreachable; the last good data stays, its age shows, the webmaster is told; warnings become
emergency drafts; another site sees none of it."""

import datetime
import functools
import http.server
import shutil
import socket
import threading
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from sites.core.models import ColumnPage
from sites.disclosure.models import EmergencyInformationPage
from sites.welfare import feeds
from sites.welfare.models import AgriculturePage, FeedRecord, FeedSource
from tests.clients import site_client
from tests.factories import make_user

pytestmark = pytest.mark.django_db
SAMPLES = Path(feeds.__file__).parent / "static" / "welfare" / "feeds"


@pytest.fixture
def feed_server(tmp_path):
    """An HTTP server on 127.0.0.1 serving a copy of the sample feeds; yields (base URL, dir)."""
    for sample in SAMPLES.iterdir():
        shutil.copy(sample, tmp_path / sample.name)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", tmp_path
    server.shutdown()
    server.server_close()


def source(kind, fmt, url, **extra):
    return FeedSource.objects.create(name=f"{kind}源", kind=kind, format=fmt, url=url, **extra)


def test_good_feeds_of_every_kind_and_format(in_alpha, feed_server):
    base, _ = feed_server
    for kind, fmt, name, count in [
        ("price", "csv", "prices.csv", 42),
        ("weather", "csv", "weather.csv", 5),
        ("knowledge", "json", "knowledge.json", 4),
        ("warning", "rss", "warnings.rss", 2),
    ]:
        s = source(kind, fmt, base + name)
        assert feeds.import_source(s) == count
        s.refresh_from_db()
        assert s.last_success_at and not s.last_error and s.last_count == count
    warning = FeedRecord.objects.get(key="yj-20261206-01")
    assert warning.data["level"] == "blue" and warning.published_at.year == 2026


def test_malformed_partial_and_unreachable_keep_the_last_good_data(in_alpha, feed_server):
    base, folder = feed_server
    make_user(in_alpha, "feed_wm", "网站管理员", email="wm@alpha.example")
    prices = source("price", "csv", base + "prices.csv")
    knowledge = source("knowledge", "json", base + "knowledge.json")
    feeds.import_source(prices)
    feeds.import_source(knowledge)
    good_at = FeedSource.objects.get(pk=prices.pk).last_success_at
    mail.outbox.clear()
    # partial: the file was cut off in the middle of a row
    text = (folder / "prices.csv").read_text(encoding="utf-8")
    (folder / "prices.csv").write_text(text[: len(text) // 2].rsplit(",", 1)[0], encoding="utf-8")
    # malformed: JSON cut off; and a count that does not match
    (folder / "knowledge.json").write_text('{"count": 4, "items": [{"title": "x"', encoding="utf-8")
    later = timezone.now() + datetime.timedelta(hours=2)
    assert feeds.import_source(prices, now=later) == 0
    assert feeds.import_source(knowledge, now=later) == 0
    prices.refresh_from_db()
    knowledge.refresh_from_db()
    assert "列数不对" in prices.last_error and "JSON 格式错误" in knowledge.last_error
    assert prices.last_success_at == good_at and prices.last_attempt_at == later
    assert FeedRecord.objects.filter(source=prices).count() == 42
    assert FeedRecord.objects.filter(source=knowledge).count() == 4
    assert len(mail.outbox) == 2 and "导入失败" in mail.outbox[0].subject
    assert mail.outbox[0].to == ["wm@alpha.example"]
    # an item missing a field is refused as a whole
    (folder / "knowledge.json").write_text('{"items": [{"title": "只有标题"}]}', encoding="utf-8")
    assert feeds.import_source(knowledge) == 0
    assert "缺少 body" in FeedSource.objects.get(pk=knowledge.pk).last_error
    # unreachable: nothing listens there
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    unreachable = source("weather", "csv", f"http://127.0.0.1:{closed}/weather.csv")
    assert feeds.import_source(unreachable) == 0
    assert "无法连接" in FeedSource.objects.get(pk=unreachable.pk).last_error
    assert len(mail.outbox) == 3  # one mail per source that starts failing, not per attempt
    feeds.import_source(prices)
    assert len(mail.outbox) == 3
    # a non-HTTP address is refused before anything is read
    local = source("weather", "csv", "file:///etc/passwd")
    feeds.import_source(local)
    assert "http://" in FeedSource.objects.get(pk=local.pk).last_error


def test_the_channel_shows_prices_with_charts_and_the_age_of_stale_data(in_alpha, feed_server):
    base, folder = feed_server
    prices = source("price", "csv", base + "prices.csv")
    feeds.import_source(prices, now=timezone.now() - datetime.timedelta(hours=30))
    home_column = ColumnPage.objects.filter(column_type="news").first()
    channel = AgriculturePage(title="农业信息", slug="nyxx")
    home_column.add_child(instance=channel)
    channel.save_revision().publish()
    client = Client(HTTP_HOST=in_alpha.primary_domain)
    html = client.get(channel.url_path.replace("/home", "", 1)).content.decode()
    assert "西红柿（乌海市综合批发市场）" in html and "4.9 元/公斤" in html
    assert html.count('<svg class="price-chart"') == 6 and "↑ 2.1%" in html
    assert "30 小时前" in html and "最近一次更新未成功" in html  # stale after 24 hours
    webmaster = site_client(in_alpha, make_user(in_alpha, "feed_wm2", "网站管理员"))
    assert "农业信息数据源更新失败或数据已过期" in webmaster.get("/admin/").content.decode()


def test_warnings_become_emergency_drafts_once(
    in_alpha, feed_server, django_capture_on_commit_callbacks
):
    base, _ = feed_server
    warnings = source("warning", "rss", base + "warnings.rss", warning_drafts=True)
    with django_capture_on_commit_callbacks(execute=True):
        feeds.import_source(warnings)
    drafts = EmergencyInformationPage.objects.filter(title__contains="乌海市气象台发布")
    assert drafts.count() == 2 and not drafts.filter(live=True).exists()
    assert drafts.get(title__contains="暴雪").level == EmergencyInformationPage.Level.ORDINARY
    with django_capture_on_commit_callbacks(execute=True):
        feeds.import_source(warnings)  # the same warnings again: no new drafts
    assert drafts.count() == 2


def test_another_site_sees_none_of_it(alpha, beta, feed_server, in_site):
    base, _ = feed_server
    with in_site(alpha):
        feeds.import_source(source("price", "csv", base + "prices.csv"))
    with schema_context(beta.schema_name):
        assert not FeedSource.objects.exists() and not FeedRecord.objects.exists()
        assert feeds.import_due() == {}


def test_the_periodic_job_imports_due_sources_in_their_own_site(
    alpha, beta, feed_server, in_site, committed
):
    from config.settings.base import CELERY_BEAT_SCHEDULE
    from sites.welfare.tasks import import_feeds_all_sites

    assert CELERY_BEAT_SCHEDULE["welfare-import-feeds"]["task"] == "welfare.import_feeds_all_sites"
    base, _ = feed_server
    with in_site(alpha):
        due = source("price", "csv", base + "prices.csv")
        recent = source("weather", "csv", base + "weather.csv")
        FeedSource.objects.filter(pk=recent.pk).update(last_attempt_at=timezone.now())
    with committed():
        import_feeds_all_sites()
    with in_site(alpha):
        assert FeedRecord.objects.filter(source=due).count() == 42
        assert not FeedRecord.objects.filter(source=recent).exists()  # its interval has not passed
    with in_site(beta):
        assert not FeedRecord.objects.exists()
