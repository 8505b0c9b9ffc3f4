"""The anonymous page cache: zero-query hits, per-site keys, exact purges, nothing private."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenants import services

from .helpers import add_article, column, fetch, warm

pytestmark = pytest.mark.django_db


def entries(cache) -> list[str]:
    """Page entries held by the (locmem) test cache."""
    return [k for k in cache._cache if ":pc:v:" in k]


@pytest.fixture
def site(alpha, in_site):
    """alpha with two columns' worth of published articles, and its hostname."""
    with in_site(alpha):
        news, notices = column("gzdt"), column("tzgg")
        news_item = add_article(news, "新闻一")
        notice_item = add_article(notices, "通知一")
        paths = {
            "home": "/",
            "news": news.url,
            "notices": notices.url,
            "news_item": news_item.url,
            "notice_item": notice_item.url,
        }
    return alpha, alpha.primary_domain, paths


@pytest.mark.parametrize("name", ["home", "news", "news_item"])
def test_a_cached_page_costs_no_query(client, pagecache, site, name):
    _, host, paths = site
    stored = warm(client, host, paths[name])
    with CaptureQueriesContext(connection) as queries:
        hit = fetch(client, host, paths[name])
    assert hit["X-Page-Cache"] == "hit"
    assert len(queries.captured_queries) == 0, [q["sql"] for q in queries.captured_queries]
    assert hit.content == stored.content
    assert hit["ETag"] == stored["ETag"]
    assert hit["Cache-Control"].startswith("public")
    assert hit["Content-Type"].startswith("text/html")


def test_conditional_get_answers_304_from_the_cache(client, pagecache, site):
    _, host, paths = site
    etag = warm(client, host, "/")["ETag"]
    response = fetch(client, host, "/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304 and response["ETag"] == etag


def test_one_sites_page_is_never_served_on_another(client, pagecache, site, beta):
    alpha, host, _ = site
    alpha_home = warm(client, host, "/")
    beta_home = warm(client, beta.primary_domain, "/")
    assert alpha.legal_name in alpha_home.content.decode()
    assert beta.legal_name in beta_home.content.decode()
    assert alpha.legal_name not in beta_home.content.decode()
    assert fetch(client, beta.primary_domain, "/").content == beta_home.content


def test_publishing_purges_the_page_its_columns_and_home_only(
    client, pagecache, commits, site, beta, in_site
):
    alpha, host, paths = site
    for name in paths:
        warm(client, host, paths[name])
    warm(client, beta.primary_domain, "/")
    with commits(), in_site(alpha):
        fresh = add_article(column("gzdt"), "刚刚发布的新闻")
        fresh_path = fresh.url
    for name in ("home", "news"):
        response = fetch(client, host, paths[name])
        assert response["X-Page-Cache"] == "miss", name
        assert "刚刚发布的新闻" in response.content.decode(), name
    assert fetch(client, host, fresh_path).status_code == 200
    for name in ("notices", "news_item", "notice_item"):
        assert fetch(client, host, paths[name])["X-Page-Cache"] == "hit", name
    assert fetch(client, beta.primary_domain, "/")["X-Page-Cache"] == "hit"


def test_unpublishing_removes_the_page_and_its_listing_entry(
    client, pagecache, commits, site, in_site
):
    alpha, host, paths = site
    for name in ("news", "news_item", "notices"):
        warm(client, host, paths[name])
    with commits(), in_site(alpha):
        column("gzdt").get_children().get(title="新闻一").specific.unpublish()
    assert fetch(client, host, paths["news_item"]).status_code == 404
    assert "新闻一" not in fetch(client, host, paths["news"]).content.decode()
    assert fetch(client, host, paths["notices"])["X-Page-Cache"] == "hit"


def test_moving_a_page_purges_its_old_and_new_places(client, pagecache, commits, site, in_site):
    alpha, host, paths = site
    for name in ("news", "news_item", "notices"):
        warm(client, host, paths[name])
    with commits(), in_site(alpha):
        item = column("gzdt").get_children().get(title="新闻一")
        item.move(column("tzgg"), pos="last-child")
        new_path = item.specific.url
    # Not the stale cached copy: Wagtail's automatic redirect to the new place.
    old = fetch(client, host, paths["news_item"])
    assert old.status_code == 301 and old["Location"] == new_path
    assert fetch(client, host, new_path).status_code == 200
    assert "新闻一" not in fetch(client, host, paths["news"]).content.decode()
    assert "新闻一" in fetch(client, host, paths["notices"]).content.decode()


def test_deleting_a_page_purges_it(client, pagecache, commits, site, in_site):
    alpha, host, paths = site
    for name in ("news", "news_item", "notice_item"):
        warm(client, host, paths[name])
    with commits(), in_site(alpha):
        column("gzdt").get_children().get(title="新闻一").delete()
    assert fetch(client, host, paths["news_item"]).status_code == 404
    assert "新闻一" not in fetch(client, host, paths["news"]).content.decode()
    assert fetch(client, host, paths["notice_item"])["X-Page-Cache"] == "hit"


def test_renaming_a_slug_purges_the_old_url(client, pagecache, commits, site, in_site):
    alpha, host, paths = site
    warm(client, host, paths["news_item"])
    with commits(), in_site(alpha):
        item = column("gzdt").get_children().get(title="新闻一").specific
        item.slug = "renamed-news"
        item.save_revision().publish()
    old = fetch(client, host, paths["news_item"])
    assert old.status_code == 301 and old["Location"] == paths["news"] + "renamed-news/"
    assert fetch(client, host, paths["news"] + "renamed-news/").status_code == 200


def test_site_setting_change_purges_that_site_only(client, pagecache, commits, site, beta, in_site):
    from wagtail.models import Site

    from sites.core.models import SiteIdentity

    alpha, host, paths = site
    warm(client, host, paths["notice_item"])
    warm(client, beta.primary_domain, "/")
    with commits(), in_site(alpha):
        identity = SiteIdentity.for_site(Site.objects.get())
        identity.footer_note = "页脚新说明"
        identity.save()
    response = fetch(client, host, paths["notice_item"])
    assert response["X-Page-Cache"] == "miss" and "页脚新说明" in response.content.decode()
    assert fetch(client, beta.primary_domain, "/")["X-Page-Cache"] == "hit"


def test_registry_change_and_suspension_purge_the_site(client, pagecache, commits, site):
    alpha, host, _ = site
    warm(client, host, "/")
    with commits():
        alpha.operator_unit = "乌海市大数据中心"
        alpha.save()
    assert "乌海市大数据中心" in fetch(client, host, "/").content.decode()
    warm(client, host, "/")
    with commits():
        services.set_status(alpha, "suspended")
    assert fetch(client, host, "/").status_code == 503


def test_purge_api_from_the_public_schema(client, pagecache, commits, site, beta, in_site):
    """How syndication and broadcast code calls it: schema + page (or id), from anywhere."""
    from pagecache.services import purge_page, purge_site

    alpha, host, paths = site
    for name in paths:
        warm(client, host, paths[name])
    warm(client, beta.primary_domain, "/")
    with in_site(alpha):
        item_id = column("tzgg").get_children().get(title="通知一").pk
    connection.set_schema_to_public()
    with commits():
        purge_page("alpha", item_id)
    assert connection.schema_name == "public"
    for name, expected in [
        ("notice_item", "miss"),
        ("notices", "miss"),
        ("home", "miss"),
        ("news", "hit"),
        ("news_item", "hit"),
    ]:
        assert fetch(client, host, paths[name])["X-Page-Cache"] == expected, name
    with commits():
        purge_site("beta")
    assert fetch(client, beta.primary_domain, "/")["X-Page-Cache"] == "miss"
    assert fetch(client, host, paths["news"])["X-Page-Cache"] == "hit"


def test_query_variants_are_normalised_and_bounded(client, pagecache, site, in_site):
    alpha, host, paths = site
    with in_site(alpha):
        news = column("gzdt")
        for _ in range(21):
            add_article(news)
    warm(client, host, paths["news"] + "?page=2")
    assert fetch(client, host, paths["news"] + "?page=2&utm_source=weixin")["X-Page-Cache"] == "hit"
    # A search term, an unknown parameter or a malformed page number: rendered, never stored.
    for query in ("?q=张三身份证", "?page=2&x=1", "?page=abc", "?page=2&page=3", "?page=0"):
        before = len(entries(pagecache))
        response = fetch(client, host, paths["news"] + query)
        assert response.status_code == 200, query
        assert response["X-Page-Cache"] == "bypass", query
        assert "private" in response["Cache-Control"], query
        assert len(entries(pagecache)) == before, query


def test_port_and_language_do_not_multiply_entries_without_bound(client, pagecache, site):
    _, host, _ = site
    warm(client, host, "/")
    for port in range(8000, 8050):
        assert fetch(client, f"{host}:{port}", "/")["X-Page-Cache"] == "hit"
    for i in range(50):
        fetch(client, host, "/", HTTP_ACCEPT_LANGUAGE=f"x{i}-q, en;q=0.{i % 9}")
    assert len(entries(pagecache)) <= 1 + 4  # one per configured language at most


def test_logged_in_visitors_get_fresh_private_pages(client, pagecache, site, in_site):
    from django.contrib.auth import get_user_model

    alpha, host, paths = site
    warm(client, host, "/")
    with in_site(alpha):
        client.force_login(get_user_model().objects.get(username="webmaster"))
    stored = len(entries(pagecache))
    for _ in range(3):
        response = fetch(client, host, paths["news"])
        assert response.status_code == 200
        assert response["X-Page-Cache"] == "bypass"
        assert "private" in response["Cache-Control"]
    assert fetch(client, host, "/")["X-Page-Cache"] == "bypass"
    assert len(entries(pagecache)) == stored


def test_admin_is_never_cached(client, pagecache, site):
    _, host, _ = site
    warm(client, host, "/")
    for _ in range(2):
        response = fetch(client, host, "/admin/login/")
        assert response["X-Page-Cache"] == "bypass"
    assert len(entries(pagecache)) == 1


def test_pages_with_forms_and_csrf_tokens_are_not_stored(client, pagecache, site, in_site):
    from wagtail.models import PageViewRestriction

    alpha, host, paths = site
    with in_site(alpha):
        item = column("gzdt").get_children().get(title="新闻一")
        PageViewRestriction.objects.create(
            page=item, restriction_type="password", password="secret-pw"
        )
    for _ in range(3):
        response = fetch(client, host, paths["news_item"])
        assert "csrfmiddlewaretoken" in response.content.decode()
        assert response["X-Page-Cache"] != "hit"
    assert entries(pagecache) == []


def test_a_navigation_column_change_purges_the_whole_site(
    client, pagecache, commits, site, in_site
):
    """Top-level columns are in every page's navigation bar."""
    alpha, host, paths = site
    warm(client, host, paths["notice_item"])
    with commits(), in_site(alpha):
        news = column("gzdt")
        news.title = "工作动态（新）"
        news.save_revision().publish()
    response = fetch(client, host, paths["notice_item"])
    assert response["X-Page-Cache"] == "miss" and "工作动态（新）" in response.content.decode()


def test_head_is_answered_from_the_cache(client, pagecache, site):
    _, host, _ = site
    stored = warm(client, host, "/")
    response = client.head("/", HTTP_HOST=host)
    assert response["X-Page-Cache"] == "hit" and response.content == b""
    assert response["Content-Length"] == str(len(stored.content))


def test_pages_still_render_and_publish_when_the_cache_is_down(
    client, settings, commits, site, in_site
):
    """T2: an unreachable cache server costs speed, never a page or a publish."""
    alpha, host, paths = site
    settings.PAGECACHE_ENABLED = True
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        },
    }
    for _ in range(2):
        response = fetch(client, host, paths["news"])
        assert response.status_code == 200 and response["X-Page-Cache"] == "bypass"
    with commits(), in_site(alpha):
        add_article(column("gzdt"), "缓存故障时发布")
    assert "缓存故障时发布" in fetch(client, host, paths["news"]).content.decode()


def test_a_page_with_a_nonced_inline_script_is_never_stored(client, pagecache, site, monkeypatch):
    """A CSP nonce must be new on every response: a cached copy would hand the same one to
    every visitor (and to whoever injects markup)."""
    from sites.core.models import HomePage

    _, host, _ = site
    original = HomePage.get_context

    def with_nonce(self, request, *args, **kwargs):
        str(request.csp_nonce)  # what `{% csp_nonce %}` in a template does
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(HomePage, "get_context", with_nonce)
    seen = [fetch(client, host, "/") for _ in range(3)]
    assert "hit" not in [r["X-Page-Cache"] for r in seen]
    nonces = {r["Content-Security-Policy"].split("'nonce-")[1].split("'")[0] for r in seen}
    assert len(nonces) == 3


def test_a_page_with_a_chinese_slug_is_cached_and_purged(client, pagecache, commits, site, in_site):
    """Wagtail percent-encodes such a URL; the request's path is decoded: both mean one page."""
    alpha, host, _ = site
    with in_site(alpha):
        article = add_article(column("gzdt"), "供暖通知", slug="供暖通知")
        path = "/gzdt/供暖通知/"
    warm(client, host, path)
    assert fetch(client, host, path)["X-Page-Cache"] == "hit"
    with in_site(alpha), commits():
        article.title = "供暖通知（更新）"
        article.save_revision().publish()
    fresh = fetch(client, host, path)
    assert fresh["X-Page-Cache"] != "hit" and "供暖通知（更新）" in fresh.content.decode()
