"""Demo pages of this app, made from the demo city's data files (tenants/demo/README.md).

The seeder (`manage.py seed_demo`) reads an entry, finds its column, and writes the pages of a
site in bulk; a page type here only turns an entry's keys into the page's own fields. Each app
that has page types lists them in a `PAGE_TYPES` dict named in the DEMO_PAGE_TYPES setting.

A builder is called as `build(entry, ctx)` and returns an unsaved page. `ctx` is the site
being seeded: `ctx.website`, `ctx.date(value)` for "2026-11-23" or "40 days ago",
`ctx.datetime(value)`, `ctx.page(slug)` for another page of the site (made earlier in the same
run, or already there), `ctx.fill(value, **names)` for placeholders of the type's own (the
site's are filled already), `ctx.section(name)` for another top-level section of the data
files, and `ctx.cache`, a dict for lookups a page type makes once per site. A builder raises `ValueError` with a message
that says what to change in the data file.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.html import escape

from .models import ArticlePage


@dataclass(frozen=True)
class DemoPageType:
    """How the entries of one `type:` become pages: the keys an entry may have (besides
    type, slug and column, which the seeder reads) and the function that builds the page."""

    keys: frozenset
    build: Callable


def paragraphs(texts) -> list:
    """A body of plain-text paragraphs (escaped), as one paragraph block; none → empty body."""
    if not texts:
        return []
    if isinstance(texts, str):
        raise ValueError("paragraphs must be a list of paragraphs (one “- …” line each)")
    return [("paragraph", "".join(f"<p>{escape(text)}</p>" for text in texts))]


ARTICLE_KEYS = frozenset({"title", "date", "source", "summary", "paragraphs"})


def article(entry, ctx) -> ArticlePage:
    return ArticlePage(
        title=entry["title"],
        date=ctx.date(entry["date"]),
        source=entry.get("source", ""),
        summary=entry.get("summary", ""),
        body=paragraphs(entry.get("paragraphs")),
    )


PAGE_TYPES = {"article": DemoPageType(ARTICLE_KEYS, article)}
