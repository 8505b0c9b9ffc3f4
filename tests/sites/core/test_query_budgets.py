"""Uncached home, column and article pages run a bounded number of SQL queries, the same
whatever the number of articles listed (no N+1). The page cache is off here (test settings)."""

import datetime
import itertools

import pytest

from sites.core.models import ArticlePage, ColumnPage, HomePage
from tests.query_budget import assert_query_budget

pytestmark = pytest.mark.django_db

# Measured 2026-11 (Wagtail 8.0, TENANT_LIMIT_SET_CALLS): see README "Performance".
# Lower them when a change saves queries; raising one needs a reason in the commit.
# +2 (issue 17): the active Locale (Wagtail routes through root_page.localized once i18n is on)
# and the site's presentation settings (favicon, header image, badge link), once per render.
BUDGET = {"home": 19, "column": 22, "article": 20}
_serial = itertools.count(1)


def _add_articles(column, n):
    """n new articles, dated after anything other tests publish, so a listing's first page
    shows these whatever committed data the test database holds."""
    added = []
    for _ in range(n):
        i = next(_serial)
        article = ArticlePage(
            title=f"预算测试文章{i}",
            slug=f"budget-{i}",
            date=datetime.date(2090, 1, 1) + datetime.timedelta(days=i),
            summary="摘要",
            body=[("paragraph", "<p>正文</p>")],
        )
        column.add_child(instance=article)
        article.save_revision().publish()
        added.append(article)
    return added


@pytest.fixture
def alpha_pages(alpha, in_site):
    with in_site(alpha):
        news = ColumnPage.objects.get(slug="gzdt")
        notices = ColumnPage.objects.get(slug="tzgg")
        [article] = _add_articles(news, 1)
        return {
            "host": alpha.primary_domain,
            "news": news,
            "notices": notices,
            "article_url": article.url,
            "news_url": news.url,
            "home": HomePage.objects.get(),
        }


def _fetcher(client, host, path, expect_text=None):
    def fetch():
        response = client.get(path, HTTP_HOST=host)
        assert response.status_code == 200, (path, response.status_code)
        return response

    return fetch


def _grower(alpha, in_site, columns):
    def grow(n):
        with in_site(alpha):
            for column in columns:
                _add_articles(column, n)

    return grow


@pytest.mark.parametrize("view", ["home", "column", "article"])
def test_view_queries_do_not_grow_with_items(client, alpha, in_site, alpha_pages, view):
    host = alpha_pages["host"]
    path = {"home": "/", "column": alpha_pages["news_url"], "article": alpha_pages["article_url"]}[
        view
    ]
    columns = [alpha_pages["news"], alpha_pages["notices"]]
    assert_query_budget(
        fetch=_fetcher(client, host, path),
        add_items=_grower(alpha, in_site, columns),
        budget=BUDGET[view],
        sizes=(2, 25),
        label=f"{view} page",
    )


def test_listing_shows_the_items_it_is_budgeted_for(client, alpha, in_site, alpha_pages):
    """The budget is for a real listing: a full page of articles, not an empty one."""
    _grower(alpha, in_site, [alpha_pages["news"]])(25)
    body = client.get(alpha_pages["news_url"], HTTP_HOST=alpha_pages["host"]).content.decode()
    assert body.count("预算测试文章") >= 20
