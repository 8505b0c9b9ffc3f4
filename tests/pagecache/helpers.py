"""Pages made and fetched the way the page cache sees them (in the current site schema)."""

import datetime
import itertools

from sites.core.models import ArticlePage, ColumnPage, HomePage
from tests.clients import fetch

_serial = itertools.count(1)


def column(slug="gzdt"):
    return ColumnPage.objects.get(slug=slug)


def home():
    return HomePage.objects.get()


def add_article(parent, title=None, *, publish=True, **fields):
    n = next(_serial)
    article = ArticlePage(
        title=title or f"测试文章{n}",
        slug=fields.pop("slug", f"test-article-{n}"),
        date=fields.pop("date", datetime.date(2026, 11, 1)),
        **fields,
    )
    parent.add_child(instance=article)
    if publish:
        article.save_revision().publish()
    else:
        article.live = False
        article.save()
    return article


def warm(client, host, path, **extra):
    """Fetch until served from the cache (a new host takes one request to learn, then one
    to store); returns that cached response."""
    seen = []
    for _ in range(3):
        response = fetch(client, host, path, **extra)
        assert response.status_code == 200, response.status_code
        seen.append(response["X-Page-Cache"])
        if seen[-1] == "hit":
            return response
    raise AssertionError(f"{path} never cached: {seen}")
