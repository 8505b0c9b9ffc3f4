"""From a page to the fields of its library item. Runs in the page's own schema.

The hook for other apps: a page class may define

    def library_projection(self) -> dict | None

returning extra or overriding fields — `item_type`, `category`, `summary`, `text`,
`published_at`, `expires_at`, `index_number`, `document_number`, `issuer`, and any other key,
which lands in `LibraryItem.extra` — or `None` to keep the page out of the library.
A class can also set `library_exclude = True`: such pages never enter the library and their
changes write no outbox row (home and column pages, syndicated copies).
"""

import datetime
import re

from django.conf import settings
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.module_loading import import_string
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Locale, Page
from wagtail.rich_text import get_text_for_indexing
from wagtail.search import index

from sites.core.models import ColumnPage

from .links import absolute_url
from .models import ItemType

# A column's type decides the type of the items filed under it.
COLUMN_TYPE_TO_ITEM_TYPE = {
    "news": ItemType.NEWS,
    "notices": ItemType.NOTICE,
    "policy": ItemType.POLICY,
    "interpretation": ItemType.INTERPRETATION,
    "disclosure": ItemType.DOCUMENT,
    "services": ItemType.SERVICE,
    "interaction": ItemType.INTERACTION,
    "topics": ItemType.TOPIC,
}

ITEM_FIELDS = {
    "item_type",
    "category",
    "title",
    "summary",
    "text",
    "url",
    "published_at",
    "first_published_at",
    "updated_at",
    "expires_at",
    "language",
    "index_number",
    "document_number",
    "issuer",
}
SUMMARY_LENGTH = 200
_SPACES = re.compile(r"\s+")


def item_key(schema_name: str, page) -> str:
    return f"{schema_name}:{page.translation_key}"


def can_be_item(page) -> bool:
    """Whether pages of this page's type can enter the library: not the tree's plain root
    pages, nor types that opt out (`library_exclude`). Read from the class (the content type),
    so a base `Page` instance — a deletion signal's — answers like its specific page."""
    cls = page.specific_class
    if cls is None or cls is Page or getattr(cls, "library_exclude", False):
        return False
    # An English or Mongolian version (wagtail-localize) shares its original's translation_key,
    # which is the item's key: the library holds the Chinese original only.
    return page.locale_id == Locale.get_default().pk


def plain_text(page) -> str:
    """The page's searchable body text, tags stripped: every SearchField but title/summary."""
    parts = []
    for field in getattr(page, "search_fields", []):
        if not isinstance(field, index.SearchField) or field.field_name in {
            "title",
            "summary",
            "search_description",
            "seo_title",
        }:
            continue
        try:
            model_field = page._meta.get_field(field.field_name)
        except Exception:  # noqa: S112 — a search field may be a method, not a model field
            continue
        value = getattr(page, field.field_name, None)
        if not value:
            continue
        if isinstance(model_field, StreamField):
            parts.extend(model_field.get_searchable_content(value))
        elif isinstance(model_field, RichTextField):
            parts.append(get_text_for_indexing(value))
        else:
            parts.append(strip_tags(str(value)))
    return _SPACES.sub(" ", " ".join(p for p in parts if p)).strip()


def nearest_column(page):
    """The closest ancestor that is a column (栏目), or None."""
    return (
        ColumnPage.objects.ancestor_of(page)
        .order_by("-depth")
        .only("title", "column_type", "path", "depth")
        .first()
    )


def _as_datetime(value):
    if value is None or isinstance(value, datetime.datetime):
        return value
    return timezone.make_aware(datetime.datetime.combine(value, datetime.time()))


def project(page, website) -> dict | None:
    """The library fields of a live page, or None when the page is not a library item."""
    page = page.specific
    if not can_be_item(page):
        return None
    url_parts = page.get_url_parts()
    if url_parts is None:  # not under the site's root: not reachable by a visitor
        return None
    column = nearest_column(page)
    summary = getattr(page, "summary", "") or page.search_description or ""
    text = plain_text(page)
    fields = {
        "page_id": page.pk,
        "page_model": page._meta.label_lower,
        "item_type": getattr(page, "library_type", None)
        or COLUMN_TYPE_TO_ITEM_TYPE.get(getattr(column, "column_type", ""), ItemType.ARTICLE),
        "category": column.title if column else "",
        "title": page.title,
        "summary": summary.strip() or text[:SUMMARY_LENGTH],
        "text": text,
        "url": absolute_url(website, url_parts[2]),
        "published_at": _as_datetime(getattr(page, "date", None)) or page.first_published_at,
        "first_published_at": page.first_published_at,
        "updated_at": page.last_published_at,
        "expires_at": page.expire_at,
        "language": page.locale.language_code if page.locale_id else "zh-hans",
        "index_number": "",
        "document_number": "",
        "issuer": getattr(page, "source", "") or "",
        "extra": {},
    }
    hook = getattr(page, "library_projection", None)
    if callable(hook):
        extra = hook()
        if extra is None:
            return None
        for key, value in extra.items():
            if key in ITEM_FIELDS:
                fields[key] = _as_datetime(value) if key.endswith("_at") else value
            else:
                fields["extra"][key] = value
    # Apps that tag items without owning their page type (theme tags, sites.welfare) add to
    # `extra` through callables named in settings: the library names none of them.
    for path in settings.LIBRARY_PROJECTION_EXTRAS:
        fields["extra"].update(import_string(path)(page) or {})
    fields["title"] = fields["title"][:255]
    return fields
