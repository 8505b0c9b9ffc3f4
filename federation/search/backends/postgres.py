"""PostgreSQL full text over jieba terms: the default backend, nothing to install.

The tsvector and the tsquery are both written by us, term by term, from jieba's words
(segment.py) and passed as bound parameters: PostgreSQL's own parser (which cannot cut Chinese)
never sees the text, and user input can never be tsquery syntax. The `simple` configuration
is implied: terms are stored exactly as given.
"""

from collections import defaultdict

from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from federation.library.models import LibraryItem

from .. import segment
from ..models import TABLE
from ..query import SearchRequest
from .base import SearchBackend, SearchResults

BUILD_TABLE = f"{TABLE}_build"
# Index names as the migration created them, and the primary key's constraint name.
INDEXES = {
    "search_doc_vector_gin": "USING gin (vector)",
    "search_doc_ident_gin": "USING gin (identifiers)",
    "search_doc_site_date_idx": "(site_id, published_at DESC)",
}
PKEY = f"{TABLE}_pkey"
# Recency: a result's text rank is multiplied by 1 + 1/(1 + age/half-year): today's item
# counts double, a six-month-old one 1.5×, an old one barely more than its text rank.
RECENCY_SECONDS = 180 * 86400
BATCH = 500
RANK_CANDIDATES = 2000
COLUMNS = "item_id, site_id, item_type, year, published_at, expires_at, identifiers, vector"


def lexeme(term: str) -> str:
    """A tsquery/tsvector lexeme literal. Terms are word characters only; quote anyway."""
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def tsquery(parsed) -> str:
    parts = []
    for group in parsed.groups:
        if group.parts:
            alternative = " & ".join(lexeme(p) for p in group.parts)
            parts.append(f"({lexeme(group.term)} | ({alternative}))")
        else:
            parts.append(lexeme(group.term))
    for phrase in parsed.phrases:
        parts.append("(" + " <-> ".join(lexeme(t) for t in phrase) + ")")
    return " & ".join(parts)


def tsvector(item: LibraryItem) -> str:
    """The item's terms with positions and weights: title A, identifiers/category B,
    summary C, body D (PostgreSQL's default rank weights 1.0, 0.4, 0.2, 0.1)."""
    merged: dict[str, list[str]] = defaultdict(list)
    pos = 0
    fields = [
        (item.title, "A"),
        (f"{item.document_number} {item.index_number} {item.category} {item.issuer}", "B"),
        (item.summary, "C"),
        (item.text, ""),
    ]
    for text, weight in fields:
        terms, pos = segment.index_terms(text or "", pos + 1)
        for term, positions in terms.items():
            slots = merged[term]
            for p in positions:
                if len(slots) < segment.MAX_POSITIONS_PER_TERM:
                    slots.append(f"{min(p, 16383)}{weight}")
    return " ".join(f"{lexeme(t)}:{','.join(p)}" for t, p in merged.items())


def identifiers(item: LibraryItem) -> list[str]:
    return [segment.identifier(v) for v in (item.document_number, item.index_number) if v.strip()]


def local_year(moment) -> int | None:
    """The year as the site's readers see it (Asia/Shanghai), not UTC's: 1 January counts."""
    return timezone.localtime(moment).year if moment else None


def row(item: LibraryItem) -> tuple:
    published = item.published_at
    return (item.pk, item.site_id, item.item_type, local_year(published),
            published, item.expires_at, identifiers(item), tsvector(item))


def upsert_sql(table: str) -> str:
    return (
        f"INSERT INTO public.{table} ({COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s::tsvector) "  # noqa: S608
        "ON CONFLICT (item_id) DO UPDATE SET site_id = EXCLUDED.site_id, "
        "item_type = EXCLUDED.item_type, year = EXCLUDED.year, "
        "published_at = EXCLUDED.published_at, expires_at = EXCLUDED.expires_at, "
        "identifiers = EXCLUDED.identifiers, vector = EXCLUDED.vector"
    )


class PostgresBackend(SearchBackend):
    name = "postgres"
    transactional = True

    # --- writing ---

    def index_items(self, items) -> None:
        items = list(items)
        current = [i for i in items if self.is_indexable(i)]
        gone = [i.pk for i in items if not self.is_indexable(i)]
        with connection.cursor() as cursor:
            if gone:
                cursor.execute(f"DELETE FROM public.{TABLE} WHERE item_id = ANY(%s)", [gone])  # noqa: S608
            if current:
                cursor.executemany(upsert_sql(TABLE), [row(i) for i in current])

    def rebuild(self, site=None, progress=None) -> int:
        """A site: replace its rows in one transaction. Everything: build a new table beside
        the live one, then swap them in a short transaction; readers never see a gap."""
        with schema_context(get_public_schema_name()):
            if site is not None:
                return self._rebuild_site(site, progress)
            return self._rebuild_all(progress)

    def _current_items(self, site=None):
        qs = LibraryItem.objects.select_related("site").filter(
            withdrawn=False, site__status="active").order_by("pk")
        return qs.filter(site=site) if site is not None else qs

    def _fill(self, cursor, table, items, total, progress):
        done, batch = 0, []
        for item in items.iterator(chunk_size=BATCH):
            batch.append(row(item))
            if len(batch) >= BATCH:
                cursor.executemany(upsert_sql(table), batch)
                done += len(batch)
                batch = []
                if progress:
                    progress(done, total)
        if batch:
            cursor.executemany(upsert_sql(table), batch)
            done += len(batch)
        if progress:
            progress(done, total)
        return done

    def _rebuild_site(self, site, progress):
        items = self._current_items(site)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM public.{TABLE} WHERE site_id = %s", [site.pk])  # noqa: S608
            return self._fill(cursor, TABLE, items, items.count(), progress)

    def _rebuild_all(self, progress):
        started = timezone.now()
        items = self._current_items()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS public.{BUILD_TABLE}")
            cursor.execute(
                f"CREATE TABLE public.{BUILD_TABLE} (LIKE public.{TABLE} INCLUDING DEFAULTS)")
            cursor.execute(f"ALTER TABLE public.{BUILD_TABLE} ADD CONSTRAINT {PKEY}_build "
                           "PRIMARY KEY (item_id)")
            done = self._fill(cursor, BUILD_TABLE, items, items.count(), progress)
            for name, definition in INDEXES.items():
                cursor.execute(f"CREATE INDEX {name}_build ON public.{BUILD_TABLE} {definition}")
        with transaction.atomic(), connection.cursor() as cursor:
            # Writers wait from here to the commit (readers do not): rows written to the live
            # table while the new one was built are carried over, then the tables swap.
            cursor.execute(f"LOCK TABLE public.{TABLE} IN EXCLUSIVE MODE")
            changed = list(LibraryItem.objects.filter(projected_at__gte=started)
                           .values_list("pk", flat=True))
            if changed:
                cursor.execute(f"DELETE FROM public.{BUILD_TABLE} WHERE item_id = ANY(%s)", [changed])  # noqa: S608
                cursor.execute(f"INSERT INTO public.{BUILD_TABLE} ({COLUMNS}) SELECT {COLUMNS} "  # noqa: S608
                               f"FROM public.{TABLE} WHERE item_id = ANY(%s)", [changed])
            cursor.execute(f"DROP TABLE public.{TABLE}")
            cursor.execute(f"ALTER TABLE public.{BUILD_TABLE} RENAME TO {TABLE}")
            cursor.execute(f"ALTER TABLE public.{TABLE} RENAME CONSTRAINT {PKEY}_build TO {PKEY}")
            for name in INDEXES:
                cursor.execute(f"ALTER INDEX public.{name}_build RENAME TO {name}")
        return done

    # --- reading ---

    def search(self, request: SearchRequest) -> SearchResults:
        results = SearchResults(request, notes=list(request.notes))
        notes = self.empty_notes(request)
        if notes:
            results.notes += notes
            return results
        site_ids = self.site_ids(request)
        if not site_ids:
            results.notes.append("所选网站没有可检索的信息。")
            return results
        parsed = request.parsed
        query = tsquery(parsed)
        ident = [parsed.identifier] if parsed.identifier else []
        match, params = [], []
        if query:
            match.append("d.vector @@ %s::tsquery")
            params.append(query)
        if ident:
            match.append("d.identifiers @> %s::varchar[]")
            params.append(ident)
        where = [f"({' OR '.join(match)})", "d.site_id = ANY(%s)",
                 "(d.expires_at IS NULL OR d.expires_at > now())"]
        params.append(site_ids)
        if request.types:
            where.append("d.item_type = ANY(%s)")
            params.append(request.types)
        if request.years:
            where.append("d.year = ANY(%s)")
            params.append(request.years)
        where_sql = " AND ".join(where)
        rank = (f"ts_rank_cd(d.vector, %s::tsquery) * (1 + 1 / (1 + GREATEST(0, EXTRACT(EPOCH "
                f"FROM now() - COALESCE(d.published_at, now()))) / {RECENCY_SECONDS}))"
                if query else "0")
        exact = "(d.identifiers @> %s::varchar[])" if ident else "false"
        exact_first = f"{exact} DESC, " if ident else ""
        select_params = ([query] if query else []) + ([ident] if ident else [])
        order = ("exact DESC, score DESC, d.published_at DESC NULLS LAST, d.item_id DESC"
                 if request.sort == "relevance"
                 else "d.published_at DESC NULLS LAST, d.item_id DESC")
        with connection.cursor() as cursor:
            if request.sort == "relevance" and query:
                # Rank the RANK_CANDIDATES newest matches (exact 文号 matches first), not every
                # match: a word in half the library would otherwise be scored row by row.
                # Below that many matches (nearly every real query) nothing changes.
                cursor.execute(
                    f"WITH matched AS (SELECT d.item_id FROM public.{TABLE} d "  # noqa: S608
                    f"WHERE {where_sql} ORDER BY {exact_first}d.published_at DESC NULLS LAST "
                    f"LIMIT {RANK_CANDIDATES}) "
                    f"SELECT d.item_id, {rank} AS score, {exact} AS exact "
                    f"FROM public.{TABLE} d JOIN matched USING (item_id) "
                    f"ORDER BY {order} LIMIT %s OFFSET %s",
                    params + ([ident] if ident else []) + select_params
                    + [request.per_page, request.offset],
                )
            else:
                cursor.execute(
                    f"SELECT d.item_id, {rank} AS score, {exact} AS exact "  # noqa: S608
                    f"FROM public.{TABLE} d WHERE {where_sql} ORDER BY {order} LIMIT %s OFFSET %s",
                    select_params + params + [request.per_page, request.offset],
                )
            page_rows = cursor.fetchall()
            cursor.execute(
                "SELECT GROUPING(d.site_id, d.item_type, d.year), d.site_id, d.item_type, "  # noqa: S608
                f"d.year, count(*) FROM public.{TABLE} d WHERE {where_sql} "
                "GROUP BY GROUPING SETS ((d.site_id), (d.item_type), (d.year), ())",
                params,
            )
            sites, types, years = {}, {}, {}
            for grouping, site_id, item_type, year, count in cursor.fetchall():
                if grouping == 0b011:
                    sites[site_id] = count
                elif grouping == 0b101:
                    types[item_type] = count
                elif grouping == 0b110:
                    years[year] = count
                elif grouping == 0b111:
                    results.total = count
        results.hits = self.hydrate([(r[0], float(r[1])) for r in page_rows], request)
        results.facets = self.label_facets(request, sites, types, years)
        if results.total and not results.hits:
            results.notes.append(f"没有第{request.page}页：共{results.num_pages}页结果。")
        elif not results.total:
            results.notes.append("没有找到相关信息，请换用其他检索词或扩大检索范围。")
        return results

