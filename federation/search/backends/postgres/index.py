"""Writing the index: an item's row replaced whenever the library changes it, and the
rebuilds of `manage.py reindex` (one site's rows in one transaction, or a whole new table built
beside the live one and swapped in), during which search keeps answering.

Rows are only ever inserted, never updated (`upsert_sql` says why).
"""

import re

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from federation.library.models import LibraryItem

from ...models import TABLE
from .documents import COLUMNS, row, source_digest

BUILD_TABLE = f"{TABLE}_build"
PKEY = f"{TABLE}_pkey"
BATCH = 500


def upsert_sql(table: str, count: int = 1) -> str:
    """`count` rows in one statement. Rows are written as new rows (replace_rows deletes an
    item's old row first): an UPDATE would keep the old row's stored ballast, compressed to 35
    bytes, and the new vector would then stay in the row (see models.py). The ON CONFLICT
    clause only settles two writers indexing the same item at once."""
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s::tsvector, %s)"] * count)
    return (
        f"INSERT INTO public.{table} ({COLUMNS}) VALUES {values} "  # noqa: S608
        "ON CONFLICT (item_id) DO UPDATE SET site_id = EXCLUDED.site_id, "
        "item_type = EXCLUDED.item_type, year = EXCLUDED.year, "
        "published_at = EXCLUDED.published_at, expires_at = EXCLUDED.expires_at, "
        "identifiers = EXCLUDED.identifiers, vector = EXCLUDED.vector, "
        "source_digest = EXCLUDED.source_digest"
    )


def insert_rows(cursor, table: str, rows: list[tuple]) -> None:
    """Write these rows (documents.row) in one statement."""
    if rows:
        cursor.execute(upsert_sql(table, len(rows)), [value for r in rows for value in r])


_INDEX_DEF = re.compile(rf"^CREATE (UNIQUE )?INDEX (\w+) ON public\.{TABLE} (.+)$")


def live_layout(cursor) -> tuple[str, dict[str, str]]:
    """The live table's storage parameters, if any ("fillfactor=90"), and, by name, the
    statements creating its indexes (primary key aside) on the build table: a reindex copies
    whatever the migrations made, so the two can never drift apart."""
    cursor.execute(
        "SELECT array_to_string(reloptions, ', ') FROM pg_class WHERE oid = %s::regclass",
        [f"public.{TABLE}"],
    )
    options = cursor.fetchone()[0] or ""
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid "
        "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary ORDER BY i.relname",
        [f"public.{TABLE}"],
    )
    indexes = {}
    for name, definition in cursor.fetchall():
        found = _INDEX_DEF.match(definition)
        if not found or found.group(2) != name:
            raise RuntimeError(f"cannot copy index {name} of {TABLE}: {definition}")
        indexes[name] = (
            f"CREATE {found.group(1) or ''}INDEX {name}_build "
            f"ON public.{BUILD_TABLE} {found.group(3)}"
        )
    return options, indexes


def replace_rows(items, current) -> None:
    """Make the index agree with `items`; `current`: those of them that search may find.
    A current item's row made from what the item holds now (the same digest: a resync of
    unchanged pages) is kept as it is; every other row goes, and the current items' rows are
    cut and written anew, in one statement."""
    current = list({item.pk: item for item in current}.values())  # one row per item
    digests = {item.pk: source_digest(item) for item in current}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT item_id, source_digest FROM public.{TABLE} WHERE item_id = ANY(%s)",  # noqa: S608
            [list(digests)],
        )
        kept = {pk for pk, digest in cursor.fetchall() if digests[pk] == digest}
        # Withdrawn items' rows and current items' outdated ones.
        cursor.execute(
            f"DELETE FROM public.{TABLE} WHERE item_id = ANY(%s)",  # noqa: S608
            [[i.pk for i in items if i.pk not in kept]],
        )
        cut: dict = {}  # the batch's segmented fields, shared by its items
        insert_rows(cursor, TABLE, [row(i, cut) for i in current if i.pk not in kept])


def rebuild(site=None, progress=None) -> int:
    """A site: replace its rows in one transaction. Everything: build a new table beside
    the live one, then swap them in a short transaction; readers never see a gap."""
    with schema_context(get_public_schema_name()):
        if site is not None:
            return _rebuild_site(site, progress)
        return _rebuild_all(progress)


def _current_items(site=None):
    qs = (
        LibraryItem.objects.select_related("site")
        .filter(withdrawn=False, site__status="active")
        .order_by("pk")
    )
    return qs.filter(site=site) if site is not None else qs


def _oldest_first(items):
    """The items oldest first, as publishing adds them, read BATCH at a time: a new table
    written in this order keeps a year's rows on neighbouring pages, so the newest
    matches of a common word are read from a few pages, not from all of them. (Only the
    ids are sorted; the rows themselves may be large.)"""
    ids = list(
        items.order_by(F("published_at").asc(nulls_first=True), "pk").values_list("pk", flat=True)
    )
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        found = items.in_bulk(chunk)
        yield from (found[pk] for pk in chunk if pk in found)


def _fill(cursor, table, items, total, progress):
    done, batch, cut = 0, [], {}
    for item in items:
        batch.append(row(item, cut))
        if len(batch) >= BATCH:
            insert_rows(cursor, table, batch)
            done += len(batch)
            batch, cut = [], {}
            if progress:
                progress(done, total)
    insert_rows(cursor, table, batch)
    done += len(batch)
    if progress:
        progress(done, total)
    return done


def _rebuild_site(site, progress):
    items = _current_items(site)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM public.{TABLE} WHERE site_id = %s", [site.pk])  # noqa: S608
        return _fill(cursor, TABLE, items.iterator(chunk_size=BATCH), items.count(), progress)


def _rebuild_all(progress):
    started = timezone.now()
    items = _current_items()
    with connection.cursor() as cursor:
        options, indexes = live_layout(cursor)
        cursor.execute(f"DROP TABLE IF EXISTS public.{BUILD_TABLE}")
        # The live table's columns with their storage and the generated ballast (without
        # them the new rows would keep their vectors inline), and its storage parameters.
        cursor.execute(
            f"CREATE TABLE public.{BUILD_TABLE} (LIKE public.{TABLE} INCLUDING ALL "
            f"EXCLUDING INDEXES){f' WITH ({options})' if options else ''}"
        )
        cursor.execute(
            f"ALTER TABLE public.{BUILD_TABLE} ADD CONSTRAINT {PKEY}_build PRIMARY KEY (item_id)"
        )
        done = _fill(cursor, BUILD_TABLE, _oldest_first(items), items.count(), progress)
        for definition in indexes.values():
            cursor.execute(definition)
        # Statistics before the first search: without them the planner guesses how many
        # rows a word matches (and so how much memory and which join to use).
        cursor.execute(f"ANALYZE public.{BUILD_TABLE}")
    with transaction.atomic(), connection.cursor() as cursor:
        # Writers wait from here to the commit (readers do not): rows written to the live
        # table while the new one was built are carried over, then the tables swap.
        cursor.execute(f"LOCK TABLE public.{TABLE} IN EXCLUSIVE MODE")
        changed = list(
            LibraryItem.objects.filter(projected_at__gte=started).values_list("pk", flat=True)
        )
        if changed:
            cursor.execute(f"DELETE FROM public.{BUILD_TABLE} WHERE item_id = ANY(%s)", [changed])  # noqa: S608
            cursor.execute(
                f"INSERT INTO public.{BUILD_TABLE} ({COLUMNS}) SELECT {COLUMNS} "  # noqa: S608
                f"FROM public.{TABLE} WHERE item_id = ANY(%s)",
                [changed],
            )
        cursor.execute(f"DROP TABLE public.{TABLE}")
        cursor.execute(f"ALTER TABLE public.{BUILD_TABLE} RENAME TO {TABLE}")
        cursor.execute(f"ALTER TABLE public.{TABLE} RENAME CONSTRAINT {PKEY}_build TO {PKEY}")
        for name in indexes:
            cursor.execute(f"ALTER INDEX public.{name}_build RENAME TO {name}")
    return done
