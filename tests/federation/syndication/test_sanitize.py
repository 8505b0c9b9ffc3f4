"""Copies carry no markup beyond what our blocks produce (issue 13 item 4: F1, Z2).

Markup is put into the source below the editor (straight into the page's stored body, into the
library's rendered body, into the copy's row): none of the script, frames, handlers, styles or
`javascript:` / `data:` URLs reaches the portal's copy page; headings, lists, tables, links and
images do.
"""

import pytest
from django_tenants.utils import schema_context
from wagtail.models import Page
from wagtail.rich_text import RichText

from federation.library.models import LibraryItem
from federation.syndication import deliveries, offers
from federation.syndication.models import Delivery, RenderedBody
from shared_blocks.sanitize import clean_body_html
from sites.core.models import ArticlePage
from sites.syndicated.models import SyndicatedPage
from tests.clients import admin_client, site_client
from tests.factories import unique

pytestmark = pytest.mark.django_db

HOSTILE = (
    '<script>alert("s1")</script>'
    '<iframe src="https://evil.example.cn/f"></iframe>'
    '<p onclick="alert(\'h1\')" style="background:url(https://evil.example.cn/s)">正文一</p>'
    '<img src="x" onerror="alert(\'h2\')" alt="坏图">'
    "<a href=\"javascript:alert('j1')\">脚本链接</a>"
    "<a href=\"JaVaScRiPt:alert('j2')\">大小写</a>"
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">数据链接</a>'
    '<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=" alt="数据图">'
    "<style>body{display:none}</style>"
    '<svg onload="alert(\'v1\')"><script>alert("v2")</script></svg>'
    '<form action="https://evil.example.cn/"><input name="pw"></form>'
    '<object data="https://evil.example.cn/o"></object><embed src="https://evil.example.cn/e">'
)
LEGITIMATE = (
    "<h3>一、工作要求</h3><h4>（一）安全生产</h4>"
    "<ul><li>第一项</li></ul><ol><li>第二项</li></ol>"
    '<p><b>加粗</b><i>斜体</i><a href="https://www.wuhai.gov.cn/">门户链接</a>'
    '<a href="/gzdt/">本站栏目</a></p>'
    '<img src="/media/pic.png" alt="会议现场" width="960" height="540">'
    '<table><caption>统计</caption><thead><tr><th scope="col">项目</th></tr></thead>'
    "<tbody><tr><td>100</td></tr></tbody></table><hr>"
)
FORBIDDEN = [
    "<script",
    "<iframe",
    "<svg",
    "<style",
    "<form",
    "<input",
    "<object",
    "<embed",
    "onclick",
    "onerror",
    "onload",
    "style=",
    "javascript:",
    "data:",
    "evil.example.cn",
    "alert(",
]


def assert_clean(html):
    lowered = html.lower()
    for needle in FORBIDDEN:
        assert needle not in lowered, needle


def assert_legitimate_kept(html):
    for needle in [
        "<h3>一、工作要求</h3>",
        "<h4>（一）安全生产</h4>",
        "<ul><li>第一项</li></ul>",
        "<ol><li>第二项</li></ol>",
        "<b>加粗</b>",
        "<i>斜体</i>",
        'href="https://www.wuhai.gov.cn/"',
        'href="http://alpha.localhost/gzdt/"',  # made absolute to the source, kept
        'src="http://alpha.localhost/media/pic.png" alt="会议现场"',
        "<caption>统计</caption>",
        '<th scope="col">项目</th>',
        "<td>100</td>",
        "<hr>",
    ]:
        assert needle in html, needle


@pytest.fixture(autouse=True)
def _plain_port(settings):
    settings.SITE_PUBLIC_PORT = 80


def body_of(response):
    html = response.content.decode()
    start = html.index('<div class="article__body">')
    return html[start : html.index('<p class="article__original">', start)]


def offered_and_accepted(alpha, portal, page, committed):
    with committed(), schema_context(alpha.schema_name):
        made = offers.offer_page(alpha, page)
    with committed():
        offers.accept_offer(made, "yaowen")
    item = LibraryItem.objects.get(item_key=f"{alpha.schema_name}:{page.translation_key}")
    with schema_context(portal.schema_name):
        return item, SyndicatedPage.objects.get(syndication_key=item.item_key)


def test_markup_written_into_the_source_body_below_the_editor_never_reaches_the_portal(
    alpha, portal, publish, committed
):
    page = publish(alpha, unique("甲区注入测试"), "占位")
    with schema_context(alpha.schema_name):
        # Below the editor: the stored rich text itself, as a migration or raw write would leave it.
        raw = ArticlePage.objects.get(pk=page.pk)
        raw.body = [("paragraph", RichText(LEGITIMATE + HOSTILE))]
        with committed():
            raw.save_revision().publish()
        page = Page.objects.get(pk=page.pk).specific
    item, copy = offered_and_accepted(alpha, portal, page, committed)
    assert_clean(copy.body_html)
    assert_legitimate_kept(copy.body_html)
    assert_clean(RenderedBody.objects.get(item=item).html)
    with schema_context(portal.schema_name):
        url = copy.get_url()
    shown = body_of(site_client(portal).get(url))
    assert_clean(shown)
    assert_legitimate_kept(shown)


def test_a_tampered_rendered_body_is_cleaned_when_the_copy_is_made(
    alpha, portal, publish, committed
):
    page = publish(alpha, unique("甲区渲染注入"), "正文")
    item, copy = offered_and_accepted(alpha, portal, page, committed)
    # The library's rendered body (a platform row) is written to behind syndication's back.
    RenderedBody.objects.filter(item=item).update(html=LEGITIMATE + HOSTILE, version=item.version)
    # Ask for the copy again (as a resync does): deliver uses the stored rendered body.
    Delivery.objects.filter(item=item, target=portal).update(delivered_version=0)
    delivery = Delivery.objects.get(item=item, target=portal)
    with schema_context(portal.schema_name):
        assert deliveries.deliver(delivery.pk) == "updated"
        copy.refresh_from_db()
    assert_clean(copy.body_html)
    assert "<h3>一、工作要求</h3>" in copy.body_html


def test_a_copy_row_written_directly_is_cleaned_when_shown(alpha, portal, publish, committed):
    page = publish(alpha, unique("甲区副本注入"), "正文")
    _item, copy = offered_and_accepted(alpha, portal, page, committed)
    with schema_context(portal.schema_name):
        SyndicatedPage.objects.filter(pk=copy.pk).update(body_html=LEGITIMATE + HOSTILE)
        url = copy.get_url()
    for client in (site_client(portal), admin_client(portal)):
        response = client.get(url)
        assert response.status_code == 200
        shown = body_of(response)
        assert_clean(shown)
        assert "<h3>一、工作要求</h3>" in shown and "<td>100</td>" in shown


def test_the_allow_list_keeps_what_the_blocks_produce():
    block_html = (
        '<figure class="body-figure"><img alt="图" height="540" loading="lazy" '
        'src="http://alpha.localhost/media/a.png" width="960"><figcaption>说明</figcaption></figure>'
        '<section class="attachments" aria-label="附件"><h2 class="attachments__title">附件</h2>'
        '<ol><li><a href="http://alpha.localhost/documents/1/a.pdf" download="">文件</a></li></ol>'
        '</section><aside class="callout callout--warning" role="note"><p class="callout__title">注意</p></aside>'
        '<div class="data-table__scroll" tabindex="0" role="region" aria-label="表"></div>'
    )
    cleaned = clean_body_html(block_html)
    for needle in [
        '<figure class="body-figure">',
        'loading="lazy"',
        "<figcaption>说明</figcaption>",
        'aria-label="附件"',
        'download=""',
        'role="note"',
        'tabindex="0"',
        'role="region"',
    ]:
        assert needle in cleaned, needle
    assert clean_body_html(cleaned) == cleaned  # idempotent: cleaning twice changes nothing
