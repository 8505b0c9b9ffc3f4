"""From a page to the fields of its library item. Runs in the page's own schema.

The hook for other apps: a page class may define

    def library_projection(self) -> dict | None

returning extra or overriding fields — `item_type`, `category`, `summary`, `text`,
`published_at`, `expires_at`, `index_number`, `document_number`, `issuer`, and any other key,
which lands in `LibraryItem.extra` — or `None` to keep the page out of the library.
A class can also set `library_exclude = True`: such pages never enter the library and their
changes write no outbox row (home and column pages, syndicated copies).

Pages are projected a batch at a time (`Batch`): what a page's projection needs from outside
the page — the default locale, the site's origin, each page's nearest column, the extras of
LIBRARY_PROJECTION_EXTRAS — is read once per batch, not once per page, so a resync of a
20,000-page site costs a few queries per hundreds of pages. A lone page is a batch of one.
"""

import datetime
import hashlib
import json
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

from .links import site_origin, url_at
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


def item_uuid(key: str) -> str:
    """The page translation_key an item key names."""
    return key.split(":", 1)[1]


def can_be_item(page, default_locale_id: int | None = None) -> bool:
    """Whether pages of this page's type can enter the library: not the tree's plain root
    pages, nor types that opt out (`library_exclude`). Read from the class (the content type),
    so a base `Page` instance — a deletion signal's — answers like its specific page.
    Callers asking for many pages pass `default_locale_id` (one query instead of one a page)."""
    cls = page.specific_class
    if cls is None or cls is Page or getattr(cls, "library_exclude", False):
        return False
    # An English or Mongolian version (wagtail-localize) shares its original's translation_key,
    # which is the item's key: the library holds the Chinese original only.
    if default_locale_id is None:
        default_locale_id = Locale.get_default().pk
    return page.locale_id == default_locale_id


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
    return nearest_columns([page])[page.pk]


def ancestor_paths(page) -> list[str]:
    """The treebeard paths of the page's ancestors, root first (a path is its ancestors')."""
    step = Page.steplen
    return [page.path[: step * depth] for depth in range(1, page.depth)]


def nearest_columns(pages) -> dict:
    """{page pk: its closest column ancestor or None}, for many pages in one query."""
    wanted = {path for page in pages for path in ancestor_paths(page)}
    columns = {
        column.path: column
        for column in ColumnPage.objects.filter(path__in=wanted).only(
            "title", "column_type", "path", "depth"
        )
    }
    found = {}
    for page in pages:
        found[page.pk] = next(
            (columns[p] for p in reversed(ancestor_paths(page)) if p in columns), None
        )
    return found


def extras_for(pages) -> dict:
    """{page pk: extra fields} from the callables of LIBRARY_PROJECTION_EXTRAS. A callable may
    offer `for_pages(pages) -> {pk: dict}` to answer a whole batch in a few queries; otherwise
    it is called once per page."""
    extras = {page.pk: {} for page in pages}
    for path in settings.LIBRARY_PROJECTION_EXTRAS:
        hook = import_string(path)
        many = getattr(hook, "for_pages", None)
        answers = many(pages) if many else {page.pk: hook(page) for page in pages}
        for pk, extra in answers.items():
            extras[pk].update(extra or {})
    return extras


class Batch:
    """What projecting these pages of one site shares, read once: the locales, the site's
    origin, each page's nearest column and its extras. `pages` are specific pages."""

    def __init__(self, website, pages):
        self.website = website
        self.origin = site_origin(website)
        self.locales = {locale.pk: locale for locale in Locale.objects.all()}
        self.default_locale_id = Locale.get_default().pk
        self.columns = nearest_columns(pages)
        self.extras = extras_for(pages)


def _as_datetime(value):
    if value is None or isinstance(value, datetime.datetime):
        return value
    return timezone.make_aware(datetime.datetime.combine(value, datetime.time()))


def project(page, website, batch: Batch | None = None) -> dict | None:
    """The library fields of a live page, or None when the page is not a library item.
    `batch` holds what the page's batch read once; a lone page makes its own."""
    page = page.specific
    if batch is None:
        batch = Batch(website, [page])
    if not can_be_item(page, batch.default_locale_id):
        return None
    # The batch is Wagtail's cache object for the site root paths (read once, not a cache
    # lookup per page); no page type here overrides get_url_parts to read a real request.
    url_parts = page.get_url_parts(batch)
    if url_parts is None:  # not under the site's root: not reachable by a visitor
        return None
    column = batch.columns.get(page.pk) if page.pk in batch.columns else nearest_column(page)
    locale = batch.locales.get(page.locale_id)
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
        "url": url_at(batch.origin, url_parts[2]),
        "published_at": _as_datetime(getattr(page, "date", None)) or page.first_published_at,
        "first_published_at": page.first_published_at,
        "updated_at": page.last_published_at,
        "expires_at": page.expire_at,
        "language": locale.language_code if locale else "zh-hans",
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
    # `extra` through callables named in settings (read for the batch): the library names
    # none of them.
    extra = batch.extras[page.pk] if page.pk in batch.extras else extras_for([page])[page.pk]
    fields["extra"].update(extra)
    fields["title"] = fields["title"][:255]
    fields["digest"] = content_digest(fields, page, website)
    return fields


# Raised when what the digest covers changes (a field added below): every item is then
# projected anew once.
DIGEST_FORMAT = 2


def content_digest(fields: dict, page, website) -> int:
    """64 bits of BLAKE2b over what the consumers of the item show: its projected fields, the
    page's own content fields (those of its page type: the body a copy renders can change
    without the text that is projected, e.g. a link's address or an image) and the name the
    source site goes by (a copy shows it). Equal digests: nothing a consumer shows changed."""
    own = {
        field.attname: _stored(field, page)
        for field in page._meta.concrete_fields
        if field.model is not Page and not field.primary_key
    }
    material = [DIGEST_FORMAT, fields, own, website.legal_name]
    data = json.dumps(material, sort_keys=True, default=str, ensure_ascii=False).encode()
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big", signed=True)


def _stored(field, page):
    """A content field's value as its row holds it. A StreamField's blocks as stored, not
    serialized again: a block written without an id (an import in bulk) is given a new random
    one at every serialization, and its page would never project the same digest twice."""
    if isinstance(field, StreamField):
        return list(field.value_from_object(page).raw_data)
    return field.value_to_string(page)
