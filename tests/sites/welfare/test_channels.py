"""Theme channels and the commerce channel read the resource library: items other sites tag
(an item, or a whole column) appear on the portal's channel; nothing untagged does."""

import datetime

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from sites.core.models import ColumnPage, HomePage
from sites.welfare.models import InvestmentNoticePage, ThemeChannelPage, ThemeTag
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def channel(site, theme, slug):
    with schema_context(site.schema_name):
        page = ThemeChannelPage(title=f"{theme}频道", slug=slug, theme=theme)
        HomePage.of_site().add_child(instance=page)
        page.links.create(title="国家中小学智慧教育平台", url="https://basic.smartedu.cn/")
        page.save_revision().publish()
        return "/" + slug + "/"


def test_tagged_items_of_every_site_reach_the_portal_channel(portal, alpha, beta, committed):
    with schema_context(alpha.schema_name):
        ThemeTag.objects.create(page=ColumnPage.objects.get(slug="gzdt"), theme="education")
    with committed():
        tagged = make_article(alpha, "甲区新建两所幼儿园投入使用", summary="学前教育")
        untagged = make_article(alpha, "甲区召开安全生产会议", column="tzgg")
    with schema_context(beta.schema_name):
        column = ColumnPage.objects.first()
        notice = InvestmentNoticePage(
            title="乙局光伏储能项目招商推介",
            slug="gf-zs",
            category="project",
            industry="新能源",
            investment="12亿元",
            date=datetime.date(2026, 12, 1),
        )
        with committed():
            column.add_child(instance=notice)
            notice.save_revision().publish()
    path = channel(portal, "education", "jiaoyu")
    commerce = channel(portal, "commerce", "zsyz")
    client = Client(HTTP_HOST=portal.primary_domain)
    html = client.get(path).content.decode()
    assert tagged.title in html and untagged.title not in html
    assert "乌海市甲区人民政府" in html and "国家中小学智慧教育平台" in html
    assert notice.title not in html
    html = client.get(commerce).content.decode()
    assert notice.title in html and tagged.title not in html
    # the notice's own page, with its project table
    with schema_context(beta.schema_name):
        notice_path = InvestmentNoticePage.objects.get(pk=notice.pk).get_url_parts()[2]
    page = Client(HTTP_HOST=beta.primary_domain).get(notice_path)
    assert page.status_code == 200 and "12亿元" in page.content.decode()


def test_the_home_page_renders_with_a_channel_in_its_menu(portal):
    """A channel in the menu sits beside the columns: the home page listed the menu's children
    as columns and answered 500 on the demo portal and 海南区."""
    path = channel(portal, "education", "jiaoyu-menu")
    with schema_context(portal.schema_name):
        ThemeChannelPage.objects.filter(slug="jiaoyu-menu").update(show_in_menus=True)
    response = Client(HTTP_HOST=portal.primary_domain).get("/")
    assert response.status_code == 200
    assert f'href="{path}"' in response.content.decode()
