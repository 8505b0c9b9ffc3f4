"""Helpers for the federation tests: articles published the way an editor does it."""

import datetime
import itertools

import pytest
from django_tenants.utils import schema_context
from wagtail.rich_text import RichText

_counter = itertools.count(1)


def unique(text: str) -> str:
    return f"{text}{datetime.datetime.now():%H%M%S%f}{next(_counter)}"


def make_article(website, title, body="", *, column="gzdt", summary="", date=None,
                 publish=True, live=True):
    """An ArticlePage under `column` of `website`; published through a revision when `publish`."""
    from sites.core.models import ArticlePage, ColumnPage

    with schema_context(website.schema_name):
        parent = ColumnPage.objects.get(slug=column)
        page = ArticlePage(
            title=title, slug=unique("a"), date=date or datetime.date.today(), summary=summary,
            body=[("paragraph", RichText(f"<p>{body}</p>"))] if body else [],
            live=live and not publish,
        )
        parent.add_child(instance=page)
        revision = page.save_revision()
        if publish:
            revision.publish()
        page.refresh_from_db()
        return page


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """publish(website, title, body, …) → page, with the after-commit tasks run (eager)."""

    def run(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return make_article(*args, **kwargs)

    return run


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): …` — run the block's on-commit callbacks (tasks) at its end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
