"""V5: 繁體 pages generated from the Simplified render with OpenCC."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context
from lxml import html as lxml_html
from wagtail.models import Site

from sites.presentation import chinese
from sites.presentation.models import PresentationSettings
from tenants.glossary import services as glossary
from tests.clients import site_client
from tests.factories import make_article, unique

# The converter reads the operator's protected terms (public schema) on first use.
pytestmark = pytest.mark.django_db


def test_phrase_level_conversion():
    # 发 is 發 or 髮 by the phrase around it; 后 is 後 or 后 likewise.
    assert chinese.to_traditional("头发") == "頭髮"
    assert chinese.to_traditional("发展经济") == "發展經濟"
    assert chinese.to_traditional("皇后的后代") == "皇后的後代"


def test_the_variant_setting_chooses_the_standard():
    assert chinese.to_traditional("软件信息", "s2t") == "軟件信息"
    assert chinese.to_traditional("软件信息", "s2twp") == "軟體資訊"
    assert chinese.to_traditional("后台", "s2hk") == "後台"
    assert chinese.to_traditional("后台", "s2t") == "後臺"


def test_protected_proper_nouns_do_not_convert():
    glossary.add_term("乌海发展集团", note="企业登记名称")
    chinese.forget_protected_terms()
    try:
        converted = chinese.to_traditional("乌海发展集团发布乌海发展报告")
        assert converted == "乌海发展集团發佈烏海發展報告"
    finally:
        chinese.forget_protected_terms()


def test_html_conversion_leaves_markup_scripts_and_protected_spans():
    page = (
        '<html lang="zh-Hans"><head><title>通知公告</title>'
        '<script src="/static/x.js"></script><script>var s = "简体";</script></head>'
        '<body><a href="/tzgg/" title="通知公告">通知公告</a> <img alt="乌海市" src="/media/乌海.png">'
        '<a href="https://example.gov.cn/乌海/">外链</a><a href="/static/core/a.css">样式</a>'
        "<!--nc-->简体<!--/nc--><p>发展</p></body></html>"
    )
    out = chinese.html_to_traditional(page)
    assert "<title>通知公告</title>" in out  # 通知公告 is the same in both scripts
    assert 'var s = "简体";' in out
    assert '<a href="/zh-hant/tzgg/" title="通知公告">' in out
    assert 'alt="烏海市" src="/media/乌海.png"' in out
    assert 'href="https://example.gov.cn/乌海/">外鏈</a>' in out
    assert 'href="/static/core/a.css"' in out
    assert "<!--nc-->简体<!--/nc-->" in out
    assert "<p>發展</p>" in out


def doc(response):
    assert response.status_code == 200, response.status_code
    return lxml_html.fromstring(response.content.decode())


def test_a_page_in_traditional_at_its_prefix(alpha, committed):
    title = unique("关于头发护理和软件发展的通知")
    with committed():
        article = make_article(alpha, title, "发展经济，后台管理", column="tzgg")
    with schema_context("alpha"):
        path = article.url
    client = site_client(alpha)
    simplified = doc(client.get(path))
    assert simplified.get("lang") == "zh-Hans"
    switch = simplified.xpath("//div[@class='reading-tools']/a")[0]
    assert switch.get("href") == "/zh-hant" + path and switch.get("hreflang") == "zh-Hant"

    response = client.get("/zh-hant" + path)
    assert response["Content-Language"] == "zh-Hant"
    traditional = doc(response)
    assert traditional.get("lang") == "zh-Hant"
    assert "頭髮護理和軟件發展" in traditional.xpath("//h1")[0].text_content()
    assert "發展經濟，後臺管理" in traditional.xpath("//main")[0].text_content()
    back = traditional.xpath("//div[@class='reading-tools']/a")[0]
    assert back.get("href") == path and back.text_content() == "简体"
    alternates = {
        link.get("hreflang"): link.get("href")
        for link in traditional.xpath("//link[@rel='alternate'][@hreflang]")
    }
    host = f"http://{alpha.primary_domain}"
    assert alternates == {
        "zh-Hans": host + path,
        "zh-Hant": host + "/zh-hant" + path,
        "x-default": host + path,
    }
    # the reader stays in 繁體: the menu leads to /zh-hant/…
    menu = [a.get("href") for a in traditional.xpath("//nav[@class='site-nav']//a")]
    assert menu and all(h.startswith("/zh-hant/") for h in menu)


def test_the_site_setting_picks_the_variant(alpha):
    with schema_context("alpha"):
        settings = PresentationSettings.for_site(Site.objects.get())
        settings.traditional_variant = "s2twp"
        settings.save()
    page = doc(site_client(alpha).get("/zh-hant/zwgk/"))
    assert "資訊公開" in page.xpath("//h1")[0].text_content()  # 信息公开 in Taiwan's words


def test_admin_and_files_have_no_traditional_version(alpha):
    client = site_client(alpha)
    assert client.get("/zh-hant/admin/").status_code == 404
    assert client.get("/zh-hant/api/library/items/").status_code == 404


def test_the_page_cache_keeps_the_two_scripts_apart(alpha, settings, committed):
    from django.core.cache import caches

    from pagecache import middleware

    settings.PAGECACHE_ENABLED = True
    caches["pages"].clear()
    middleware.forget_local_hosts()
    client = site_client(alpha)
    client.get("/tzgg/")  # the page cache learns the host
    assert client.get("/tzgg/")["X-Page-Cache"] == "miss"
    assert client.get("/zh-hant/tzgg/")["X-Page-Cache"] == "miss"  # its own copy, stored now
    simplified, traditional = client.get("/tzgg/"), client.get("/zh-hant/tzgg/")
    assert simplified["X-Page-Cache"] == traditional["X-Page-Cache"] == "hit"
    assert b'lang="zh-Hans"' in simplified.content and b'lang="zh-Hant"' in traditional.content
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/zh-hant/tzgg/")["X-Page-Cache"] == "hit"
    assert len(queries.captured_queries) == 0
    # publishing in the column purges both copies (one path, two languages)
    with committed():
        make_article(alpha, unique("新通知"), column="tzgg")
    assert client.get("/zh-hant/tzgg/")["X-Page-Cache"] != "hit"
    caches["pages"].clear()


def test_search_accepts_a_traditional_query(alpha, publish):
    word = "供暖"  # same in both scripts; the other word differs: 乌海 / 烏海
    publish(alpha, unique("乌海冬季供暖保障"), "乌海城区供暖")
    response = site_client(alpha).get("/api/search/", {"q": "烏海 供暖"})
    titles = [hit["title"] for hit in response.json()["results"]]
    assert any("乌海冬季供暖保障" in t for t in titles), (word, titles)


def test_the_operator_extends_the_dictionary_in_the_console(alpha):
    from django.contrib.auth import get_user_model
    from django.test import Client

    get_user_model().objects.create_user("ops", password="Operator-Pass-2026", is_staff=True)
    console = Client(HTTP_HOST="console.localhost")
    console.post("/login/", {"username": "ops", "password": "Operator-Pass-2026"})
    chinese.forget_protected_terms()
    try:
        response = console.post("/terms/", {"term": "乌达区", "note": "地名以简体登记"})
        assert response.status_code == 302
        assert "乌达区" in console.get("/terms/").content.decode()
        assert chinese.to_traditional("乌达区发展") == "乌达区發展"
        bad = console.post("/terms/", {"term": "  "}, follow=True).content.decode()
        assert "未添加" in bad
        # a site's webmaster cannot edit it: there is no such page on a site
        assert site_client(alpha).get("/terms/").status_code == 404
    finally:
        chinese.forget_protected_terms()
