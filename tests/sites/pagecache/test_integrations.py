"""The page cache and syndication: copies and city-wide broadcasts never leave stale pages."""

import datetime

import pytest
from django.utils import timezone

from .conftest import add_article, column, fetch, warm

pytestmark = pytest.mark.django_db


def test_a_broadcast_posted_or_withdrawn_purges_every_site(client, pagecache, commits, alpha, beta, in_site):
    from federation.syndication.broadcasts import post_broadcast, withdraw_broadcast

    hosts = [alpha.primary_domain, beta.primary_domain]
    for host in hosts:
        warm(client, host, "/")
    now = timezone.now()
    with commits():
        broadcast = post_broadcast(title="寒潮蓝色预警", text="请注意防寒保暖。", link="https://portal.localhost/notice/",
                                   starts_at=now - datetime.timedelta(minutes=1),
                                   ends_at=now + datetime.timedelta(hours=2))
    for host in hosts:
        response = fetch(client, host, "/")
        assert response["X-Page-Cache"] == "miss" and "寒潮蓝色预警" in response.content.decode()
        warm(client, host, "/")
    with commits():
        withdraw_broadcast(broadcast)
    for host in hosts:
        assert "寒潮蓝色预警" not in fetch(client, host, "/").content.decode()
    from federation.syndication import broadcasts

    assert len(broadcasts._timers) == 2  # each change purges once more after HOLD_SECONDS


def test_a_scheduled_broadcast_bounds_how_long_pages_are_kept(client, pagecache, commits, alpha):
    from federation.syndication.broadcasts import post_broadcast

    now = timezone.now()
    with commits():
        post_broadcast(title="演练通知", text="将于稍后开始。", link="https://portal.localhost/notice/",
                       starts_at=now + datetime.timedelta(seconds=40),
                       ends_at=now + datetime.timedelta(hours=1))
    warm(client, alpha.primary_domain, "/")
    expiries = [pagecache._expire_info[k] for k in pagecache._cache if ":pc:v:" in k]
    assert expiries and all(e - timezone.now().timestamp() <= 41 for e in expiries)


def test_syndicated_copies_changed_purges_those_pages(client, pagecache, commits, alpha, in_site):
    from federation.syndication.signals import syndicated_copies_changed

    host = alpha.primary_domain
    with in_site(alpha):
        notices = column("tzgg")
        copy = add_article(notices, "转载的通知")
        paths = {"copy": copy.url, "notices": notices.url, "news": column("gzdt").url}
    for path in paths.values():
        warm(client, host, path)
    with commits():
        syndicated_copies_changed.send(sender=None, schema="alpha", page_ids=[copy.pk])
    assert fetch(client, host, paths["copy"])["X-Page-Cache"] == "miss"
    assert fetch(client, host, paths["notices"])["X-Page-Cache"] == "miss"
    assert fetch(client, host, paths["news"])["X-Page-Cache"] == "hit"
