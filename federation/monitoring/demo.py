"""Demo monitoring for the demo city: call `seed()` once every site is seeded. Idempotent.

- a fortnight of visits on every site (home page and its first columns), so the card and the
  annual report show numbers;
- one stale column: 交通局 gets a 人事信息 column whose only item is from last year (a yearly
  column, stale after 365 days), so a finding shows;
- a scorecard for every site, computed now (availability follows the first probe round the
  periodic runner makes a few seconds after the server starts).
"""

import datetime
import logging

from django.utils import timezone
from django_tenants.utils import schema_context
from wagtail.rich_text import RichText

from sites.core.models import ArticlePage, ColumnPage, HomePage
from tenants.models import Website

from . import scorecards
from .models import VisitDay

log = logging.getLogger("jiyue.monitoring")
STALE_SITE = "jtj"
STALE_COLUMN = ("rsxx", "人事信息")
VISIT_DAYS = 14


def seed() -> dict:
    sites = list(Website.objects.sites().order_by("pk"))
    stale = _stale_column()
    visits = _visits(sites)
    cards = scorecards.compute_all()
    return {"visit_rows": visits, "stale_column": stale, "scorecards": cards}


def _stale_column() -> bool:
    website = Website.objects.filter(schema_name=STALE_SITE).first()
    if website is None:
        log.warning("monitoring demo: no site %s, no stale column", STALE_SITE)
        return False
    slug, title = STALE_COLUMN
    with schema_context(website.schema_name):
        if ColumnPage.objects.filter(slug=slug).exists():
            return False
        home = HomePage.of_site()
        column = home.add_child(
            instance=ColumnPage(title=title, slug=slug, column_type="general", show_in_menus=True)
        )
        column.save_revision().publish()
        article = column.add_child(
            instance=ArticlePage(
                title="关于干部任职的公示",
                slug="rzgs",
                date=timezone.localdate() - datetime.timedelta(days=420),
                source="乌海市交通运输局",
                body=[("paragraph", RichText("<p>经研究，拟任命以下同志……</p>"))],
            )
        )
        article.save_revision().publish()
    return True


def _visits(sites) -> int:
    today = timezone.localdate()
    rows = []
    for n, website in enumerate(sites):
        with schema_context(website.schema_name):
            paths = ["/"] + [
                f"/{slug}/"
                for slug in ColumnPage.objects.filter(depth=3)
                .order_by("path")
                .values_list("slug", flat=True)[:3]
            ]
        for d in range(VISIT_DAYS):
            for k, path in enumerate(paths):
                views = (40 if path == "/" else 8) + (n * 7 + d * 3 + k * 5) % 30
                rows.append(
                    VisitDay(
                        website=website,
                        day=today - datetime.timedelta(days=d + 1),
                        path=path,
                        views=views,
                    )
                )
    VisitDay.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
