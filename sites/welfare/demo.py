"""The demo city's public-welfare channels (a DEMO_CITY_SEEDERS step, before the library's:
its theme tags are read when the library projects the seeded pages). Idempotent.

海南区 (hainan) gets the agricultural channel with its four sample feeds imported from the
shipped files (no network while seeding; afterwards the periodic job fetches them from this
server's static files over loopback); 教育局 and 卫健委 tag their news columns; the portal gets
the 教育 and 招商引资 channels; two investment notices are published.
"""

import datetime
import os
from pathlib import Path

from django.db import transaction
from django_tenants.utils import get_tenant_model, schema_context

from sites.core.models import ColumnPage, HomePage

from . import feeds
from .models import AgriculturePage, FeedSource, InvestmentNoticePage, ThemeChannelPage, ThemeTag

FEEDS = Path(__file__).parent / "static" / "welfare" / "feeds"
SAMPLE_FEEDS = [  # name, kind, format, file
    ("乌海市农产品和农资价格", "price", "csv", "prices.csv"),
    ("海南区天气预报", "weather", "csv", "weather.csv"),
    ("农业技术知识", "knowledge", "json", "knowledge.json"),
    ("乌海市气象台灾害预警", "warning", "rss", "warnings.rss"),
]
TAGS = {"jyj": "education", "wjw": "health"}
NOTICES = {
    "portal": (
        "乌海市煤焦化工产业链延链补链项目招商公告",
        "investment",
        "现代煤化工",
        "海南工业园区",
        "50亿元",
    ),
    "wuda": ("乌达区葡萄酒庄文旅融合项目推介", "project", "文化旅游", "乌达区苏海图", "3.2亿元"),
}


def _schema(key):
    return (
        get_tenant_model()
        .objects.filter(schema_name=key)
        .values_list("schema_name", flat=True)
        .first()
    )


def _publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()


def seed_agriculture(schema: str, base: str) -> None:
    """The four sample feeds, imported from the shipped files, and the channel page."""
    with schema_context(schema), transaction.atomic():
        for name, kind, fmt, file in SAMPLE_FEEDS:
            source, made = FeedSource.objects.get_or_create(
                name=name, defaults={"kind": kind, "format": fmt, "url": base + file}
            )
            if made:
                feeds.import_source(source, data=(FEEDS / file).read_bytes())
        if not AgriculturePage.objects.exists():
            _publish(
                HomePage.of_site(),
                AgriculturePage(
                    title="农业信息",
                    slug="nyxx",
                    show_in_menus=True,
                    intro="农业技术知识、天气预报、农产品和农资价格、灾害预警，按时从有关部门的数据源更新。",
                ),
            )


def seed_tags():
    """Theme tags on the demo's news columns. Runs before the library's bulk projection
    (DEMO_CITY_SEEDERS), which reads them; publishes nothing, so that projection still finds
    an empty library and loads the city without a consumer step per item."""
    for key, theme in TAGS.items():
        if _schema(key):
            with schema_context(key):
                column = ColumnPage.objects.filter(column_type="news").first()
                if column:
                    ThemeTag.objects.get_or_create(page=column, theme=theme)


def seed():
    """Feeds, notices and channels, published the ordinary way after the city's library and
    search index are built (a live publish before them made the library seeder take the
    one-by-one path: 16 s instead of 1.6 s)."""
    seed_tags()
    base = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/static/welfare/feeds/"
    if _schema("hainan"):
        seed_agriculture("hainan", base)
    for key, (title, category, industry, location, amount) in NOTICES.items():
        if not _schema(key):
            continue
        with schema_context(key):
            if InvestmentNoticePage.objects.filter(title=title).exists():
                continue
            column = ColumnPage.objects.filter(column_type="notices").first()
            if column is None:
                continue
            _publish(
                column,
                InvestmentNoticePage(
                    title=title,
                    slug=f"zsyz-{key}",
                    category=category,
                    industry=industry,
                    location=location,
                    investment=amount,
                    date=datetime.date(2026, 12, 1),
                    summary=f"{location}{industry}项目，总投资约{amount}，欢迎有意向的企业洽谈合作。",
                    body=f"<p>{title}。项目位于{location}，总投资约{amount}。</p>",
                    contact="乌海市投资促进中心 0473-3990000",
                ),
            )
    if _schema("portal"):
        with schema_context("portal"):
            home = HomePage.of_site()
            for theme, title, slug in (
                ("education", "教育", "jiaoyu"),
                ("commerce", "招商引资", "zsyz"),
            ):
                if not ThemeChannelPage.objects.filter(theme=theme).exists():
                    page = ThemeChannelPage(title=title, slug=slug, theme=theme, show_in_menus=True)
                    home.add_child(instance=page)
                    if theme == "education":
                        page.links.create(
                            title="国家中小学智慧教育平台", url="https://basic.smartedu.cn/"
                        )
                    page.save_revision().publish()
