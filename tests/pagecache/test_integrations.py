"""The page cache and syndication: copies and city-wide broadcasts never leave stale pages."""

import datetime

import pytest
from django.utils import timezone

from sites.core.models import ArticlePage

from .helpers import add_article, column, fetch, warm

pytestmark = pytest.mark.django_db


def test_a_broadcast_posted_or_withdrawn_purges_every_site(
    client, pagecache, commits, alpha, beta, in_site
):
    from federation.syndication.broadcasts import post_broadcast, withdraw_broadcast

    hosts = [alpha.primary_domain, beta.primary_domain]
    for host in hosts:
        warm(client, host, "/")
    now = timezone.now()
    with commits():
        broadcast = post_broadcast(
            title="寒潮蓝色预警",
            text="请注意防寒保暖。",
            link="https://portal.localhost/notice/",
            starts_at=now - datetime.timedelta(minutes=1),
            ends_at=now + datetime.timedelta(hours=2),
        )
    for host in hosts:
        response = fetch(client, host, "/")
        assert response["X-Page-Cache"] == "miss" and "寒潮蓝色预警" in response.content.decode()
        warm(client, host, "/")
    with commits():
        withdraw_broadcast(broadcast)
    for host in hosts:
        assert "寒潮蓝色预警" not in fetch(client, host, "/").content.decode()
    from pagecache import integrations

    assert len(integrations._timers) == 2  # each change purges once more after HOLD_SECONDS


def test_a_scheduled_broadcast_bounds_how_long_pages_are_kept(client, pagecache, commits, alpha):
    from federation.syndication.broadcasts import post_broadcast

    now = timezone.now()
    with commits():
        post_broadcast(
            title="演练通知",
            text="将于稍后开始。",
            link="https://portal.localhost/notice/",
            starts_at=now + datetime.timedelta(seconds=40),
            ends_at=now + datetime.timedelta(hours=1),
        )
    warm(client, alpha.primary_domain, "/")
    expiries = [pagecache._expire_info[k] for k in pagecache._cache if ":pc:v:" in k]
    assert expiries and all(e - timezone.now().timestamp() <= 41 for e in expiries)


def test_a_syndicated_copy_is_purged_once_per_change(
    client, pagecache, commits, alpha, beta, in_site, monkeypatch
):
    """A copy arriving, changing or withdrawn is a page published or unpublished on the
    receiving site: its URL and the listings that show it are purged, once per change."""
    from federation.library.models import LibraryItem
    from federation.syndication.deliveries import ensure_delivery
    from federation.syndication.models import Delivery
    from pagecache import store

    bumped = []
    real_bump = store.bump_paths
    monkeypatch.setattr(
        store,
        "bump_paths",
        lambda schema, paths: (bumped.append((schema, set(paths))), real_bump(schema, paths)),
    )
    with in_site(beta), commits():
        original = add_article(column("bmdt"), "乙局转给甲区的通知")
    item = LibraryItem.objects.get(item_key=f"beta:{original.translation_key}")
    with commits():
        ensure_delivery(item, alpha, "tzgg", Delivery.Origin.SUBSCRIPTION)
    delivery = Delivery.objects.get(item=item, target=alpha)
    with in_site(alpha):
        copy_path = ArticlePage.objects.get(pk=delivery.copy_page_id).url
        paths = {"copy": copy_path, "notices": column("tzgg").url, "news": column("gzdt").url}
    host = alpha.primary_domain
    for path in paths.values():
        warm(client, host, path)
    bumped.clear()
    with in_site(beta), commits():
        original.title = "乙局转给甲区的通知（更新）"
        original.save_revision().publish()
    assert "（更新）" in fetch(client, host, paths["copy"]).content.decode()
    assert fetch(client, host, paths["notices"])["X-Page-Cache"] == "miss"
    assert fetch(client, host, paths["news"])["X-Page-Cache"] == "hit"
    on_alpha = [paths_ for schema, paths_ in bumped if schema == "alpha"]
    assert sum(copy_path in p for p in on_alpha) == 1, bumped
