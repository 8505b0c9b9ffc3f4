"""PostgreSQL full text over jieba terms: the default backend, nothing to install.

The tsvector and the tsquery are both written by us, term by term, from jieba's words
(segment.py) and passed as bound parameters: PostgreSQL's own parser (which cannot cut Chinese)
never sees the text, and user input can never be tsquery syntax. The `simple` configuration
is implied: terms are stored exactly as given.
"""

import json
import math
import re
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from federation.library.models import ItemType, LibraryItem

from .. import segment
from ..documents import identifiers, local_year
from ..models import TABLE
from ..query import SearchRequest
from .base import SearchBackend, SearchResults

BUILD_TABLE = f"{TABLE}_build"
PKEY = f"{TABLE}_pkey"
# Recency: a result's text rank is multiplied by 1 + 1/(1 + age/half-year): today's item
# counts double, a six-month-old one 1.5×, an old one barely more than its text rank.
RECENCY_SECONDS = 180 * 86400
BATCH = 500
# Relevance is computed over the newest RANK_CANDIDATES matches (see Matching.page_rows):
# ranking reads each candidate's vector from TOAST, ~10 µs apiece on the development machine,
# so 1,000 candidates (2,000 until 2026-11-30) take ~10 ms less per query of thousands of matches.
RANK_CANDIDATES = 1000
# Counting. Up to EXACT_COUNT_LIMIT matches the total and the facets are exact. A word found in
# more (通知, 工作: tens of thousands of items in a city's library) would make the counts visit
# every matching row, so they are estimated from a sample of about SAMPLE_ROWS matches and
# shown as such ("约"). Every row belongs to one of SAMPLE_BUCKETS buckets by its item id
# (`sample_bucket`, and a 'sample:N' tag in its vector, so the index reads only the sampled
# rows' entries); a sample is the first k buckets.
EXACT_COUNT_LIMIT = 20_000
SAMPLE_ROWS = 5_000
SAMPLE_BUCKETS = 64
SAMPLE_BUCKET_SQL = "(mod(d.item_id * 40503, 65536) / 1024)"
# The facets: their column, and the SQL type of their values.
FACET_COLUMNS = {"site": "site_id", "type": "item_type", "year": "year"}
FACET_TYPES = {"site": "bigint", "type": "text", "year": "integer"}


def sample_bucket(item_id: int) -> int:
    """Fibonacci hashing: the top 6 of the low 16 bits of id × 40503 (2^16 / golden ratio), as
    SAMPLE_BUCKET_SQL computes it. Consecutive ids spread evenly over the 64 buckets, and so do
    ids in any stride (two sites publishing in turn), which id mod 64 would put in half of them."""
    return (item_id * 40503 % 65536) >> 10


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
    summary C, body D (PostgreSQL's default rank weights 1.0, 0.4, 0.2, 0.1); then its tags."""
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
    words = " ".join(f"{lexeme(t)}:{','.join(p)}" for t, p in merged.items())
    return " ".join([words, *(lexeme(t) for t in tags(item))]).strip()


def tag(kind: str, value) -> str:
    """A lexeme that no word can be (terms are word characters only, never ':'): the row's
    site, type or year inside its vector. A search for one site, type or year then asks the
    GIN index for `… & 'site:12'`, which reads only that site's matches from the table."""
    return f"{kind}:{value}"


def tags(item: LibraryItem) -> list[str]:
    year = local_year(item.published_at)
    return [tag("site", item.site_id), tag("type", item.item_type),
            *([tag("year", year)] if year else []), tag("sample", sample_bucket(item.pk))]


def any_tag(kind: str, values) -> str:
    return "(" + " | ".join(lexeme(tag(kind, v)) for v in values) + ")"


def row(item: LibraryItem) -> tuple:
    published = item.published_at
    return (item.pk, item.site_id, item.item_type, local_year(published),
            published, item.expires_at, identifiers(item), tsvector(item))


def upsert_sql(table: str) -> str:
    """Rows are written as new rows (index_items deletes an item's old row first): an UPDATE
    would keep the old row's stored ballast, compressed to 35 bytes, and the new vector would
    then stay in the row (see models.py). The ON CONFLICT clause only settles two writers
    indexing the same item at once."""
    return (
        f"INSERT INTO public.{table} ({COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s::tsvector) "  # noqa: S608
        "ON CONFLICT (item_id) DO UPDATE SET site_id = EXCLUDED.site_id, "
        "item_type = EXCLUDED.item_type, year = EXCLUDED.year, "
        "published_at = EXCLUDED.published_at, expires_at = EXCLUDED.expires_at, "
        "identifiers = EXCLUDED.identifiers, vector = EXCLUDED.vector"
    )


_INDEX_DEF = re.compile(rf"^CREATE (UNIQUE )?INDEX (\w+) ON public\.{TABLE} (.+)$")


def live_layout(cursor) -> tuple[str, dict[str, str]]:
    """The live table's storage parameters, if any ("fillfactor=90"), and, by name, the
    statements creating its indexes (primary key aside) on the build table: a reindex copies
    whatever the migrations made, so the two can never drift apart."""
    cursor.execute("SELECT array_to_string(reloptions, ', ') FROM pg_class "
                   "WHERE oid = %s::regclass", [f"public.{TABLE}"])
    options = cursor.fetchone()[0] or ""
    cursor.execute("SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                   "JOIN pg_class i ON i.oid = x.indexrelid "
                   "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary ORDER BY i.relname",
                   [f"public.{TABLE}"])
    indexes = {}
    for name, definition in cursor.fetchall():
        found = _INDEX_DEF.match(definition)
        if not found or found.group(2) != name:
            raise RuntimeError(f"cannot copy index {name} of {TABLE}: {definition}")
        indexes[name] = (f"CREATE {found.group(1) or ''}INDEX {name}_build "
                         f"ON public.{BUILD_TABLE} {found.group(3)}")
    return options, indexes


class PostgresBackend(SearchBackend):
    name = "postgres"
    transactional = True

    # --- writing ---

    def index_items(self, items) -> None:
        items = list(items)
        current = [i for i in items if self.is_indexable(i)]
        with connection.cursor() as cursor:
            # Every old row goes, withdrawn or not: a current item's row is written anew.
            cursor.execute(f"DELETE FROM public.{TABLE} WHERE item_id = ANY(%s)",  # noqa: S608
                           [[i.pk for i in items]])
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

    @staticmethod
    def _oldest_first(items):
        """The items oldest first, as publishing adds them, read BATCH at a time: a new table
        written in this order keeps a year's rows on neighbouring pages, so the newest
        matches of a common word are read from a few pages, not from all of them. (Only the
        ids are sorted; the rows themselves may be large.)"""
        ids = list(items.order_by(F("published_at").asc(nulls_first=True), "pk")
                   .values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            chunk = ids[start:start + BATCH]
            found = items.in_bulk(chunk)
            yield from (found[pk] for pk in chunk if pk in found)

    def _fill(self, cursor, table, items, total, progress):
        done, batch = 0, []
        for item in items:
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
            return self._fill(cursor, TABLE, items.iterator(chunk_size=BATCH), items.count(), progress)

    def _rebuild_all(self, progress):
        started = timezone.now()
        items = self._current_items()
        with connection.cursor() as cursor:
            options, indexes = live_layout(cursor)
            cursor.execute(f"DROP TABLE IF EXISTS public.{BUILD_TABLE}")
            # The live table's columns with their storage and the generated ballast (without
            # them the new rows would keep their vectors inline), and its storage parameters.
            cursor.execute(
                f"CREATE TABLE public.{BUILD_TABLE} (LIKE public.{TABLE} INCLUDING ALL "
                f"EXCLUDING INDEXES){f' WITH ({options})' if options else ''}")
            cursor.execute(f"ALTER TABLE public.{BUILD_TABLE} ADD CONSTRAINT {PKEY}_build "
                           "PRIMARY KEY (item_id)")
            done = self._fill(cursor, BUILD_TABLE, self._oldest_first(items), items.count(), progress)
            for definition in indexes.values():
                cursor.execute(definition)
            # Statistics before the first search: without them the planner guesses how many
            # rows a word matches (and so how much memory and which join to use).
            cursor.execute(f"ANALYZE public.{BUILD_TABLE}")
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
            for name in indexes:
                cursor.execute(f"ALTER INDEX public.{name}_build RENAME TO {name}")
        return done

    # --- reading ---
    #
    # Two or three statements per search, all through the GIN index and the narrow main rows:
    # the counts (the total, the facets and the matches per year; for a very common word, from
    # a sample), then the page, whose work the year counts bound. Vectors are read from TOAST
    # only for the rows ranked.

    def find(self, request: SearchRequest, site_ids: list[int], results: SearchResults) -> None:
        found = Matching(request, site_ids)
        with index_scans_only() as cursor:
            counts = found.counts(cursor)
            page_rows = found.page(cursor, counts) if counts.total > request.offset else []
        results.total, results.estimated = counts.total, counts.estimated
        results.hits = self.hydrate([(r[0], float(r[1])) for r in page_rows], request)
        results.facets = self.label_facets(request, counts.sites, counts.types, counts.years)
        if results.total and not results.hits:
            results.notes.append(f"没有第{request.page}页：共{results.num_pages}页结果。")
        elif not results.total:
            results.notes.append("没有找到相关信息，请换用其他检索词或扩大检索范围。")


@contextmanager
def index_scans_only():
    """A cursor whose statements are planned without sequential scans. The planner prices a
    row by its main part, and with the vectors out of line a sequential scan looks cheap for a
    common word, but it would fetch every vector from TOAST to test it (300 ms for 100,000
    rows here); the GIN index answers without reading a vector. SET LOCAL lasts until the end
    of the transaction: our own one normally; inside a caller's transaction the setting is put
    back at once (on an error the caller's transaction is rolled back, the setting with it)."""
    nested = connection.in_atomic_block
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        yield cursor
        if nested:
            cursor.execute("SET LOCAL enable_seqscan TO DEFAULT")


@dataclass
class Counts:
    """Matches in all, by site id, by type and by year; `estimated`: from a sample."""
    total: int
    sites: dict
    types: dict
    years: dict
    estimated: bool = False


def estimate(n: float) -> int:
    """A count estimated from a sample, to three significant figures (99,473 → 99,500)."""
    digits = len(str(int(n)))
    return int(round(n, -max(0, digits - 3)))


def newest_years_start(years: dict, needed: int) -> int | None:
    """The latest year from which on there are at least `needed` matches (`years`: matches
    per year): the newest `needed` matches are all from then on. None when the dated matches
    are fewer (undated ones sort last)."""
    running = 0
    for year in sorted((y for y in years if y is not None), reverse=True):
        running += years[year]
        if running >= needed:
            return year
    return None


def newest(alias: str) -> str:
    """Newest first, undated last; the item id makes the order total (stable pages)."""
    return f"{alias}.published_at DESC NULLS LAST, {alias}.item_id DESC"


class Matching:
    """The SQL of one search: which rows match, and how they are counted, ranked and paged."""

    def __init__(self, request: SearchRequest, site_ids: list[int]):
        self.request = request
        parsed = request.parsed
        self.text = tsquery(parsed)  # what is ranked
        self.ident = [parsed.identifier] if parsed.identifier else []
        # Narrowing tags (see `tag`) for the filters that keep a small part of the library;
        # every site of a city-wide search would only add work.
        self.tags = []
        if request.scope == "site" or request.sites:
            self.tags.append(any_tag("site", site_ids))
        if request.types:
            self.tags.append(any_tag("type", request.types))
        if request.years:
            self.tags.append(any_tag("year", request.years))
        # What every row must pass, tested on the narrow main row whatever the tags did: not
        # expired, and of the sites (bigint[] like the column: a smallint[] comparison is not
        # hashed), types and years chosen.
        self.site_ids = site_ids
        self.where, self.params = self.matching()

    def narrowed(self, tags) -> str:
        """The text query ANDed with narrowing tags: what the GIN index is asked."""
        return " & ".join([f"({self.text})", *tags])

    def matching(self, since_year: int | None = None, years=(), buckets: int | None = None,
                 probe: str | None = None):
        """WHERE and parameters. With `since_year`, text matches only from that year on
        (`years`: those with matches, as tags for the index); identifier matches regardless.
        With `buckets`, only the rows of the first `buckets` sample buckets. With `probe` (a
        facet: site, type or year), the text query and the facet's value are the columns of a
        row `q` (see `count_missed`)."""
        request = self.request
        match, params = [], []
        if self.text:  # without a phrase (positions), the GIN index answers without a recheck
            tags = [*self.tags, any_tag("year", years)] if since_year else list(self.tags)
            if buckets:
                tags.append(any_tag("sample", range(buckets)))
            text = "q.query" if probe else "%s::tsquery"
            match.append(f"(d.vector @@ {text} AND d.year >= %s)" if since_year
                         else f"d.vector @@ {text}")
            params += [*([] if probe else [self.narrowed(tags)]), *([since_year] if since_year else [])]
        if self.ident:
            match.append("d.identifiers @> %s::varchar[]")
            params.append(self.ident)
        where = [f"({' OR '.join(match)})", "(d.expires_at IS NULL OR d.expires_at > now())",
                 "d.site_id = ANY(%s::bigint[])"]
        params.append(self.site_ids)
        if probe:
            where.append(f"d.{FACET_COLUMNS[probe]} = q.value")
        if request.types:
            where.append("d.item_type = ANY(%s)")
            params.append(request.types)
        if request.years:
            where.append("d.year = ANY(%s)")
            params.append(request.years)
        if buckets:  # identifier matches too, not only the tagged text matches
            where.append(f"{SAMPLE_BUCKET_SQL} < {int(buckets)}")
        return " AND ".join(where), params

    def counts(self, cursor) -> Counts:
        """The total and the facets: exact up to EXACT_COUNT_LIMIT matches, estimated from a
        sample above. The planner's estimate of the matches decides which (from the column's
        statistics: close for the frequent words that matter here); where it was too high,
        the sample shows it and the counts are made exact after all."""
        expected = self.expected_matches(cursor)
        if expected > EXACT_COUNT_LIMIT:
            buckets = math.ceil(SAMPLE_BUCKETS * SAMPLE_ROWS / expected)
            if buckets < SAMPLE_BUCKETS:
                sampled = self.count(cursor, buckets)
                if sampled.total > EXACT_COUNT_LIMIT:
                    self.count_missed_values(cursor, sampled, buckets)
                    return sampled
        return self.count(cursor)

    def expected_matches(self, cursor) -> float:
        """The planner's estimate of the text matches, the rows a count would visit (the
        conditions tested on each row would only lower it: the planner cannot know that
        every row is of an active site)."""
        if not self.text:
            return 0  # an identifier alone: a handful of documents
        cursor.execute(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM public.{TABLE} d "  # noqa: S608
                       "WHERE d.vector @@ %s::tsquery", [self.narrowed(self.tags)])
        plan = cursor.fetchone()[0]
        return (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"]

    def count(self, cursor, buckets: int | None = None) -> Counts:
        """Counts by site, type and year, and the total, in one pass over the matching rows (of
        the first `buckets` sample buckets, scaled up, if given)."""
        where, params = self.matching(buckets=buckets) if buckets else (self.where, self.params)
        cursor.execute(
            "SELECT GROUPING(d.site_id, d.item_type, d.year), d.site_id, d.item_type, d.year, "  # noqa: S608
            f"count(*) FROM public.{TABLE} d WHERE {where} "
            "GROUP BY GROUPING SETS ((d.site_id), (d.item_type), (d.year), ())",
            params,
        )
        counts = Counts(0, {}, {}, {}, estimated=bool(buckets))
        scale = SAMPLE_BUCKETS / buckets if buckets else 1
        for grouping, site_id, item_type, year, n in cursor.fetchall():
            n = estimate(n * scale) if buckets else n
            if grouping == 0b011:
                counts.sites[site_id] = n
            elif grouping == 0b101:
                counts.types[item_type] = n
            elif grouping == 0b110:
                counts.years[year] = n
            elif grouping == 0b111:
                counts.total = n
        return counts

    def count_missed_values(self, cursor, sampled: Counts, buckets: int) -> None:
        """Adds to sampled counts the facet values the sample missed, so that the facets list
        every site, type and year with matches: a small site's few matches, a rare type or an
        old year easily fall outside a 5% sample. The candidates are the sites searched, every
        type, and the years from ten before the oldest sampled one to this one."""
        sampled_years = [y for y in sampled.years if y is not None]
        years = range(min(sampled_years) - 10, local_year(timezone.now()) + 1) if sampled_years else []
        for kind, values, known in (("site", self.site_ids, sampled.sites),
                                    ("type", self.request.types or ItemType.values, sampled.types),
                                    ("year", self.request.years or years, sampled.years)):
            known.update(self.count_missed(cursor, kind, [v for v in values if v not in known], buckets))

    def count_missed(self, cursor, kind: str, values: list, buckets: int) -> dict:
        """Counts of facet values a sample of `buckets` missed. One probe of the GIN index per
        value, the text query narrowed by its tag (one query ORing 200 sites' tags would make
        the index test them all on every row: 100 ms for a word of 5,000 matches). A probe
        stops at twice the matches the sample stands for, past which a value's chance of
        having been missed is below e⁻²: it costs ~0.05 ms plus at most that many rows. A value
        at the cap is shown with the cap, an estimate like every count beside it."""
        if not values:  # (counts are only sampled for a text query: self.text is set)
            return {}
        where, params = self.matching(probe=kind)
        cap = math.ceil(2 * SAMPLE_BUCKETS / buckets)
        probes = [self.narrowed([*self.tags, lexeme(tag(kind, v))]) for v in values]
        cursor.execute(
            f"SELECT q.value, (SELECT count(*) FROM (SELECT FROM public.{TABLE} d "  # noqa: S608
            f"WHERE {where} LIMIT {cap}) AS found) "
            f"FROM unnest(%s::{FACET_TYPES[kind]}[], %s::tsquery[]) AS q(value, query)",
            [*params, list(values), probes],
        )
        return {value: n for value, n in cursor.fetchall() if n}

    def rank(self, alias: str):
        """Text rank × recency of the rows of `alias`, with its parameters. Floating point:
        date_part gives a double where EXTRACT would give a slower numeric."""
        if not self.text:
            return "0::float8", []
        return (f"ts_rank_cd({alias}.vector, %s::tsquery) * (1 + 1 / (1 + GREATEST(0, date_part("
                f"'epoch', now() - COALESCE({alias}.published_at, now()))) / {RECENCY_SECONDS}))",
                [self.text])

    def newest_matches(self, counts: Counts, needed: int):
        """WHERE and parameters for a query that wants the newest `needed` matches: by the
        year counts, only the years they fall in. For a common word the rows read and sorted
        are then one year's, not the whole library's. Estimated counts may be high: the years
        must then hold twice as many."""
        needed = needed * 2 if counts.estimated else needed
        since = newest_years_start(counts.years, needed) if counts.total > needed else None
        if since is None:
            return self.where, self.params
        return self.matching(since, [y for y in counts.years if y is not None and y >= since])

    def page(self, cursor, counts: Counts):
        """The page's (item id, score) rows, from the years that hold the matches it needs.
        Should those years have held too few after all (estimated counts), from every year."""
        request = self.request
        by_date = request.sort == "date" or not self.text  # an identifier alone ranks nothing
        needed = request.offset + request.per_page if by_date else RANK_CANDIDATES
        where, params = self.newest_matches(counts, needed)
        rows = self.page_rows(cursor, by_date, where, params)
        if where != self.where and len(rows) < min(request.per_page, counts.total - request.offset):
            rows = self.page_rows(cursor, by_date, self.where, self.params)
        return rows

    def page_rows(self, cursor, by_date: bool, where: str, params: list):
        """The inner query picks rows by their narrow main part (the vector column there is a
        TOAST pointer, carried, not read); the outer one reads the vectors of those rows only,
        to rank them."""
        request = self.request
        limit = [request.per_page, request.offset]
        if by_date:
            # Newest first: the page, then its rank.
            rank, rank_params = self.rank("p")
            cursor.execute(
                f"SELECT p.item_id, {rank} AS score FROM (SELECT d.item_id, d.vector, "  # noqa: S608
                f"d.published_at FROM public.{TABLE} d WHERE {where} "
                f"ORDER BY {newest('d')} LIMIT %s OFFSET %s) AS p ORDER BY {newest('p')}",
                rank_params + params + limit,
            )
            return cursor.fetchall()
        # Relevance: rank the RANK_CANDIDATES newest matches, exact 文号/索引号 matches first,
        # not every match: a word found in half the library would otherwise be scored row by
        # row. Below that many matches (nearly every real query) all are ranked.
        exact, exact_params = ("d.identifiers @> %s::varchar[]", [self.ident]) if self.ident else ("false", [])
        rank, rank_params = self.rank("c")
        cursor.execute(
            f"SELECT c.item_id, {rank} AS score FROM (SELECT d.item_id, d.vector, "  # noqa: S608
            f"d.published_at, {exact} AS exact FROM public.{TABLE} d WHERE {where} "
            f"ORDER BY exact DESC, {newest('d')} LIMIT {RANK_CANDIDATES}) AS c "
            f"ORDER BY c.exact DESC, score DESC, {newest('c')} LIMIT %s OFFSET %s",
            rank_params + exact_params + params + limit,
        )
        return cursor.fetchall()
