import datetime
import itertools

import pytest
from django.core.cache import caches

from sites.core.models import ArticlePage, ColumnPage, HomePage
from sites.pagecache import middleware

_serial = itertools.count(1)


@pytest.fixture
def pagecache(settings):
    """The page cache switched on, empty, with this process's host memory forgotten."""
    settings.PAGECACHE_ENABLED = True
    caches["pages"].clear()
    middleware.forget_local_hosts()
    yield caches["pages"]
    from federation.syndication import broadcasts

    broadcasts.cancel_pending()  # a second purge still pending must not hit the next test
    caches["pages"].clear()
    middleware.forget_local_hosts()


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    """`with commits(): …` — run the on-commit purges as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def column(slug="gzdt"):
    return ColumnPage.objects.get(slug=slug)


def home():
    return HomePage.objects.get()


def add_article(parent, title=None, *, publish=True, **fields):
    n = next(_serial)
    article = ArticlePage(title=title or f"测试文章{n}", slug=f"test-article-{n}",
                          date=fields.pop("date", datetime.date(2026, 11, 1)), **fields)
    parent.add_child(instance=article)
    if publish:
        article.save_revision().publish()
    else:
        article.live = False
        article.save()
    return article


def fetch(client, host, path, **extra):
    return client.get(path, HTTP_HOST=host, **extra)


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
