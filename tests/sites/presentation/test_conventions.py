"""The conventions of a government site: footer marks, site map, robots.txt, sitemap.xml, feeds,
canonical and Open Graph tags, print stylesheet, favicon per site."""

import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import feedparser
import pytest
from django_tenants.utils import schema_context
from lxml import html as lxml_html
from wagtail.models import Site

from sites.core.models import ColumnPage
from sites.presentation.templatetags import presentation_tags
from tests.clients import site_client
from tests.factories import make_article, unique

pytestmark = pytest.mark.django_db
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def doc(response):
    assert response.status_code == 200, response.status_code
    return lxml_html.fromstring(response.content.decode())


@pytest.mark.parametrize("schema", ["alpha", "beta", "portal"])
def test_every_site_footer_carries_the_marks(schema, alpha, beta, portal):
    # portal as an argument, not getfixturevalue(): its session fixture must be made outside
    # this test's transaction, or the rollback takes the portal away from later tests
    website = {"alpha": alpha, "beta": beta, "portal": portal}[schema]
    website.police_record_number = "蒙公网安备15030202000123号"
    website.operator_unit = "乌海市大数据中心"
    website.save()
    page = doc(site_client(website).get("/tzgg/"))
    footer = page.xpath("//footer[@class='site-footer']")[0]
    text = footer.text_content()
    assert f"主办单位：{website.sponsor_unit or website.legal_name}" in text
    assert "承办单位：乌海市大数据中心" in text
    assert f"网站标识码：{website.site_code}" in text
    links = {a.text_content().strip(): a.get("href") for a in footer.xpath(".//a")}
    if website.icp_number:
        assert links[website.icp_number] == "https://beian.miit.gov.cn/"
    assert links["蒙公网安备15030202000123号"].endswith("code=15030202000123")
    assert links["网站地图"] == "/wzdt/"
    assert links["联系我们"] == "/lxwm/"
    # 找错 links to the interaction area's /zhaocuo/ once that view exists (never to a 404)
    if presentation_tags.zhaocuo_available():
        assert links["我要找错"] == "/zhaocuo/?url=/tzgg/"
    else:
        assert "我要找错" not in links
        assert site_client(website).get("/zhaocuo/").status_code == 404
    assert footer.xpath(".//img[@alt='党政机关']")


def test_the_badge_links_to_its_verification_page_when_configured(alpha):
    from sites.presentation.models import PresentationSettings

    with schema_context("alpha"):
        settings = PresentationSettings.for_site(Site.objects.get())
        settings.conac_url = "https://bszs.conac.cn/sitename?method=show&id=0123456789"
        settings.save()
    page = doc(site_client(alpha).get("/"))
    badge = page.xpath("//a[@class='conac-badge']")[0]
    assert badge.get("href") == "https://bszs.conac.cn/sitename?method=show&id=0123456789"


def test_robots_txt_names_the_sitemap_of_this_host(alpha):
    response = site_client(alpha).get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Disallow: /admin/" in text
    assert f"Sitemap: http://{alpha.primary_domain}/sitemap.xml" in text


def test_sitemap_lists_only_this_sites_public_pages_with_lastmod(alpha, beta, committed):
    title = unique("站点地图")
    with committed():
        mine = make_article(alpha, title)
        theirs = make_article(beta, unique("别的网站"), column="tzgg")
        draft = make_article(alpha, unique("草稿"), publish=False, live=False)
    response = site_client(alpha).get("/sitemap.xml")
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)  # noqa: S314 (our own server's answer)
    assert root.tag == f"{SM}urlset"
    urls = {u.find(f"{SM}loc").text: u.find(f"{SM}lastmod") for u in root.findall(f"{SM}url")}
    with schema_context("alpha"):
        mine_path = mine.url
    assert f"http://{alpha.primary_domain}{mine_path}" in urls
    assert (
        urls[f"http://{alpha.primary_domain}{mine_path}"].text
        == mine.last_published_at.date().isoformat()
    )
    assert f"http://{alpha.primary_domain}/" in urls
    assert all(urlsplit(u).netloc == alpha.primary_domain for u in urls)
    assert not any(theirs.slug in u for u in urls), "beta's page in alpha's sitemap"
    assert not any(draft.slug in u for u in urls), "a draft in the sitemap"


def test_column_feeds_parse_as_rss_and_atom(alpha, committed):
    title = unique("供暖通知")
    with committed():
        make_article(alpha, title, column="tzgg", summary="供暖期提示")
    with schema_context("alpha"):
        column = ColumnPage.objects.get(slug="tzgg")
    client = site_client(alpha)
    column_page = doc(client.get("/tzgg/"))
    feed_links = [
        link.get("href")
        for link in column_page.xpath("//link[@rel='alternate'][contains(@type, '+xml')]")
    ]
    assert f"/feeds/column/{column.pk}/rss.xml" in feed_links
    for kind, version in (("rss", "rss20"), ("atom", "atom10")):
        response = client.get(f"/feeds/column/{column.pk}/{kind}.xml")
        assert response.status_code == 200
        feed = feedparser.parse(response.content)
        assert not feed.bozo, feed.bozo_exception
        assert feed.version == version
        assert title in [e.title for e in feed.entries]
        entry = next(e for e in feed.entries if e.title == title)
        assert entry.link.startswith(f"http://{alpha.primary_domain}/tzgg/")
        assert "供暖期提示" in entry.summary


def test_a_feed_never_carries_another_sites_items(alpha, beta, committed):
    """Page ids repeat across schemas: beta's column id asked on alpha is alpha's page (or
    none), never beta's items."""
    title = unique("乙局通知")
    with committed():
        make_article(beta, title, column="tzgg")
    with schema_context("beta"):
        beta_column = ColumnPage.objects.get(slug="tzgg")
    response = site_client(alpha).get(f"/feeds/column/{beta_column.pk}/rss.xml")
    assert response.status_code in (200, 404)
    assert title not in response.content.decode()
    assert (
        title in site_client(beta).get(f"/feeds/column/{beta_column.pk}/rss.xml").content.decode()
    )


def test_catalogue_feed_parses(alpha):
    for kind in ("rss", "atom"):
        response = site_client(alpha).get(f"/feeds/catalogue/{kind}.xml")
        feed = feedparser.parse(response.content)
        assert not feed.bozo, feed.bozo_exception
        assert "政府信息公开" in feed.feed.title


def test_site_map_and_contact_pages(alpha):
    client = site_client(alpha)
    page = doc(client.get("/wzdt/"))
    links = {a.text_content() for a in page.xpath("//ul[@class='site-map']//a")}
    assert {"通知公告"} <= links
    assert (
        page.xpath("//nav[@class='breadcrumbs']//*[@aria-current='page']")[0].text_content()
        == "网站地图"
    )
    page = doc(client.get("/lxwm/"))
    assert alpha.legal_name in page.xpath("//main")[0].text_content()


def test_canonical_open_graph_print_and_favicon(alpha):
    client = site_client(alpha)
    page = doc(client.get("/tzgg/"))
    assert (
        page.xpath("//link[@rel='canonical']")[0].get("href")
        == f"http://{alpha.primary_domain}/tzgg/"
    )
    assert page.xpath("//meta[@property='og:title']")[0].get("content") == "通知公告"
    assert page.xpath("//meta[@property='og:site_name']")[0].get("content") == alpha.legal_name
    assert page.xpath("//link[@rel='stylesheet'][@media='print']")
    assert client.get("/favicon.ico").status_code == 200
