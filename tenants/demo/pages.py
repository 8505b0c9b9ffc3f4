"""Demo pages written in bulk: a site's entries become live pages in one transaction.

Publishing page by page runs the whole publish flow each time (revision, outbox row, library
task, search index, syndication, audit mirror, cache purge): ~200 ms a page. Here a site's new
pages are built in memory — ids drawn from the page sequence, tree paths, URL paths and
publication dates set as publishing would set them — and written with one INSERT per table,
with one revision each (so history, comparison and rollback work as for any published page);
then Wagtail's own search index and reference index learn of them in bulk. The pages fire no
publish signal: the library projects them afterwards, once per site
(`federation.library.services.project_new_pages`, from a city seeder).

Idempotent: an entry whose slug is already taken in its column is left alone (it was seeded
before, or someone made that page), so a second run adds nothing.
"""

import datetime
from collections import defaultdict

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from modelcluster.models import get_all_child_relations
from wagtail.models import Page, ReferenceIndex, Revision
from wagtail.search.backends import get_search_backends

from sites.core.models import ColumnPage, HomePage

from .content import DemoDataError, Entry, SiteContent, days_ago, fill, page_types, unfilled

PUBLISHED_AT = datetime.time(9, 0)  # a demo item "went out" at nine on its date


class SiteContext:
    """What a page type's builder sees of the site being seeded (sites/core/demo.py)."""

    def __init__(self, website, sections: dict, today: datetime.date):
        self.website, self.sections, self.today = website, sections, today
        self.cache = {}
        self.new = {}  # slug → page made in this run

    def date(self, value) -> datetime.date:
        return days_ago(value, self.today)

    def datetime(self, value) -> datetime.datetime:
        if isinstance(value, datetime.datetime):
            return value if timezone.is_aware(value) else timezone.make_aware(value)
        return published_at(self.date(value))

    def page(self, slug: str):
        if slug in self.new:
            return self.new[slug]
        found = list(Page.objects.filter(slug=slug)[:2])
        if len(found) != 1:
            raise ValueError(
                f"“{slug}” names {'no page' if not found else 'several pages'} of "
                "this site: use the slug of a page listed earlier in the data"
            )
        return found[0].specific

    def fill(self, value, **names):
        return fill(value, names)

    def section(self, name: str):
        return self.sections.get(name)


def published_at(date: datetime.date) -> datetime.datetime:
    moment = timezone.make_aware(datetime.datetime.combine(date, PUBLISHED_AT))
    return min(moment, timezone.now())


def seed_pages(website, content: SiteContent, today: datetime.date | None = None) -> list[Page]:
    """Make the entries that are not on the site yet, as live pages (run in its schema).
    Returns the new pages; nothing is written if an entry is wrong (DemoDataError)."""
    with transaction.atomic():
        for path in settings.DEMO_SITE_PREPARERS:  # idempotent: sections made after the site
            import_string(path)(website)
        home = HomePage.of_site()
        columns = list(ColumnPage.objects.descendant_of(home).order_by("path"))
        # Sections that are not columns (网上办事 at /wsbs/) take entries by their slug too.
        columns += list(
            Page.objects.child_of(home).exclude(pk__in=[c.pk for c in columns]).order_by("path")
        )
        taken, last_step = _tree(home)
        ctx = SiteContext(website, content.sections, today or timezone.localdate())
        placed, now = [], {}
        for entry in content.entries:
            column = _column(entry, columns, home)
            key = (column.path, entry.slug)
            if key in now:
                raise DemoDataError(
                    f"{entry.where}: slug “{entry.slug}” is also {now[key]}'s, in "
                    f"the same column: give one of them another `slug:`"
                )
            now[key] = entry.where
            if key in taken:
                continue  # made by an earlier run (or by hand): left as it is
            placed.append((entry, column))
        if not placed:
            return []
        ids = _next_page_ids(len(placed))
        pages = []
        for (entry, column), pk in zip(placed, ids, strict=True):
            page = _build(entry, ctx)
            step = last_step[column.path] = last_step[column.path] + 1
            _place(page, pk, column, step, entry.slug, home.locale_id)
            ctx.new[entry.slug] = page
            pages.append(page)
        _write(pages)
        for column in columns:
            added = sum(1 for _, c in placed if c.pk == column.pk)
            if added:
                Page.objects.filter(pk=column.pk).update(numchild=F("numchild") + added)
        _index(pages)
    return pages


def _tree(home):
    """(column path, slug) of every page below the columns, and each column's last child step."""
    taken, last_step = set(), defaultdict(int)
    steplen = Page.steplen
    for path, slug in Page.objects.filter(
        depth__gt=home.depth + 1, path__startswith=home.path
    ).values_list("path", "slug"):
        parent = path[:-steplen]
        taken.add((parent, slug))
        last_step[parent] = max(last_step[parent], Page._str2int(path[-steplen:]))
    return taken, last_step


def _column(entry: Entry, columns, home) -> ColumnPage:
    if "column" in entry.data:
        slug = entry.data["column"]
        found = next((c for c in columns if c.slug == slug), None)
        if found is None:
            names = ", ".join(f"{c.slug} {c.title}" for c in columns)
            raise DemoDataError(
                f"{entry.where}: this site has no column “{slug}”: use one of {names}"
            )
        return found
    wanted = entry.data["column_type"]
    wanted = [wanted] if isinstance(wanted, str) else wanted
    top = [c for c in columns if c.depth == home.depth + 1 and isinstance(c, ColumnPage)]
    for column_type in wanted:
        found = next((c for c in top if c.column_type == column_type), None)
        if found is not None:
            return found
    raise DemoDataError(
        f"{entry.where}: no column of type {' or '.join(wanted)} on this site; "
        f"its columns are of types {', '.join(sorted({c.column_type for c in top}))}"
    )


def _build(entry: Entry, ctx: SiteContext) -> Page:
    try:
        page = page_types()[entry.type].build(entry.data, ctx)
    except KeyError as exc:
        raise DemoDataError(f"{entry.where}: key {exc} is missing") from None
    except (ValueError, TypeError) as exc:
        raise DemoDataError(f"{entry.where}: {exc}") from None
    for text in (page.title, getattr(page, "summary", "")):
        if unfilled(text):
            raise DemoDataError(
                f"{entry.where}: unknown placeholder {unfilled(text)[0]} in “{text}”"
            )
    return page


def _next_page_ids(count: int) -> list[int]:
    """Ids for new pages from the page table's own sequence, so pages can point at pages made
    in the same run before anything is written."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Page._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _place(page, pk: int, column, step: int, slug: str, locale_id: int) -> None:
    """Everything add_child and a first publish would set, minus the revision (see _write)."""
    for model in _chain(type(page)):  # Page.id, ArticlePage.page_ptr_id, …: one id for all
        setattr(page, model._meta.pk.attname, pk)
    page.slug = slug
    page.depth = column.depth + 1
    page.path = Page._get_path(column.path, page.depth, step)
    page.numchild = 0
    page.url_path = f"{column.url_path}{slug}/"
    page.locale_id = locale_id
    page.draft_title = page.title
    page.live, page.has_unpublished_changes = True, False
    moment = published_at(page.date) if hasattr(page, "date") else timezone.now()
    page.first_published_at = page.last_published_at = moment
    page.latest_revision_created_at = moment
    # A new page's child relations (comments, a topic's items…) hold what the builder gave them
    # and nothing else: said here, Wagtail's serialisation and reference index need not ask.
    for relation in get_all_child_relations(page):
        name = relation.get_accessor_name()
        if name not in getattr(page, "_cluster_related_objects", {}):
            setattr(page, name, [])


def _chain(cls) -> list:
    """The concrete models a page's row is split across, base first (Page, ArticlePage, …)."""
    return [*reversed(cls._meta.get_parent_list()), cls]


def _write(pages) -> None:
    # One revision per page, as its first publish would leave (live = latest).
    revisions = Revision.objects.bulk_create(
        [
            Revision(
                content_type_id=page.content_type_id,
                base_content_type_id=page.get_base_content_type().pk,
                object_id=str(page.pk),
                created_at=page.first_published_at,
                object_str=page.title,
                content=page.serializable_data(),
            )
            for page in pages
        ]
    )
    for page, revision in zip(pages, revisions, strict=True):
        page.latest_revision_id = page.live_revision_id = revision.pk
    # Django's bulk_create refuses multi-table models: one INSERT per table of the chain
    # (Page, then ArticlePage, …), the statement Model.save() runs per row. `_insert` is the
    # manager method bulk_create itself uses.
    by_model = defaultdict(list)
    for page in pages:
        for model in _chain(type(page)):
            by_model[model].append(page)
    for model in sorted(by_model, key=lambda m: len(m._meta.get_parent_list())):
        fields = [f for f in model._meta.local_concrete_fields if not f.generated]
        model._base_manager._insert(by_model[model], fields=fields, using=connection.alias)
    for page in pages:
        page._state.adding, page._state.db = False, connection.alias
        # Orderables built with the page (a topic's items); a new page has no others.
        for name, children in list(getattr(page, "_cluster_related_objects", {}).items()):
            if children:
                getattr(page, name).commit()


def _index(pages) -> None:
    """Wagtail's search index (the admin's page search) and its reference index (where a page
    is used), which page saves keep up to date through signals."""
    by_model = defaultdict(list)
    for page in pages:
        by_model[type(page)].append(page)
    for backend in get_search_backends(with_auto_update=True):
        for model, objs in by_model.items():
            backend.add_bulk(model, objs)
    # What create_or_update_for_object() writes for a new object, for all pages in one
    # statement instead of two queries a page (Wagtail has no bulk form of it).
    base = ContentType.objects.get_for_model(Page)
    ReferenceIndex.objects.bulk_create(
        [
            ReferenceIndex(
                content_type=ContentType.objects.get_for_model(page),
                base_content_type=base,
                object_id=page.pk,
                to_content_type_id=to_type,
                to_object_id=to_id,
                model_path=model_path,
                content_path=content_path,
                content_path_hash=ReferenceIndex._get_content_path_hash(content_path),
            )
            for page in pages
            for to_type, to_id, model_path, content_path in set(
                ReferenceIndex._extract_references_from_object(page)
            )
        ],
        ignore_conflicts=True,
    )
