"""Reading the index: the SQL of one search, which rows match and how they are counted,
ranked and paged.

Two or three statements per search, all through the GIN index and the narrow main rows:
the counts (the total, the facets and the matches per year; for a very common word, from
a sample), then the page, whose work the year counts bound. Vectors are read from TOAST
only for the rows ranked.
"""

import json
import math
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connections, router, transaction
from django.utils import timezone

from federation.library.models import ItemType, LibraryItem

from ...documents import local_year
from ...models import TABLE
from ...query import SearchRequest
from .documents import SAMPLE_BUCKET_SQL, SAMPLE_BUCKETS, lexeme, tag

# Recency: a result's text rank is multiplied by 1 + 1/(1 + age/half-year): today's item
# counts double, a six-month-old one 1.5×, an old one barely more than its text rank.
RECENCY_SECONDS = 180 * 86400
# Relevance is computed over the newest RANK_CANDIDATES matches (see Matching.page_rows):
# ranking reads each candidate's vector from TOAST, ~10 µs apiece on the development machine,
# so 1,000 candidates (2,000 until 2026-11-30) take ~10 ms less per query of thousands of matches.
RANK_CANDIDATES = 1000
# Counting. Up to EXACT_COUNT_LIMIT matches the total and the facets are exact. A word found in
# more (通知, 工作: tens of thousands of items in a city's library) would make the counts visit
# every matching row, so they are estimated from a sample of about SAMPLE_ROWS matches and
# shown as such ("约"). Every row belongs to one of SAMPLE_BUCKETS buckets by its item id
# (documents.sample_bucket, and a 'sample:N' tag in its vector, so the index reads only the
# sampled rows' entries); a sample is the first k buckets.
EXACT_COUNT_LIMIT = 20_000
SAMPLE_ROWS = 5_000
# The facets: their column, and the SQL type of their values.
FACET_COLUMNS = {"site": "site_id", "type": "item_type", "year": "year"}
FACET_TYPES = {"site": "bigint", "type": "text", "year": "integer"}


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


def any_tag(kind: str, values) -> str:
    return "(" + " | ".join(lexeme(tag(kind, v)) for v in values) + ")"


@contextmanager
def index_scans_only():
    """A cursor whose statements are planned without sequential scans. The planner prices a
    row by its main part, and with the vectors out of line a sequential scan looks cheap for a
    common word, but it would fetch every vector from TOAST to test it (300 ms for 100,000
    rows here); the GIN index answers without reading a vector. SET LOCAL lasts until the end
    of the transaction: our own one normally; inside a caller's transaction the setting is put
    back at once (on an error the caller's transaction is rolled back, the setting with it)."""
    # A search is a read: with a replica configured (config.replica) a public request's search
    # runs there like its other reads; otherwise this is the default connection.
    alias = router.db_for_read(LibraryItem)
    nested = connections[alias].in_atomic_block
    with transaction.atomic(using=alias, savepoint=False), connections[alias].cursor() as cursor:
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
        # Narrowing tags (see documents.tag) for the filters that keep a small part of the library;
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

    def matching(
        self,
        since_year: int | None = None,
        years=(),
        buckets: int | None = None,
        probe: str | None = None,
    ):
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
            match.append(
                f"(d.vector @@ {text} AND d.year >= %s)" if since_year else f"d.vector @@ {text}"
            )
            params += [
                *([] if probe else [self.narrowed(tags)]),
                *([since_year] if since_year else []),
            ]
        if self.ident:
            match.append("d.identifiers @> %s::varchar[]")
            params.append(self.ident)
        where = [
            f"({' OR '.join(match)})",
            "(d.expires_at IS NULL OR d.expires_at > now())",
            "d.site_id = ANY(%s::bigint[])",
        ]
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
        cursor.execute(
            f"EXPLAIN (FORMAT JSON) SELECT 1 FROM public.{TABLE} d "  # noqa: S608
            "WHERE d.vector @@ %s::tsquery",
            [self.narrowed(self.tags)],
        )
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
        years = (
            range(min(sampled_years) - 10, local_year(timezone.now()) + 1) if sampled_years else []
        )
        for kind, values, known in (
            ("site", self.site_ids, sampled.sites),
            ("type", self.request.types or ItemType.values, sampled.types),
            ("year", self.request.years or years, sampled.years),
        ):
            known.update(
                self.count_missed(cursor, kind, [v for v in values if v not in known], buckets)
            )

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
        return (
            f"ts_rank_cd({alias}.vector, %s::tsquery) * (1 + 1 / (1 + GREATEST(0, date_part("
            f"'epoch', now() - COALESCE({alias}.published_at, now()))) / {RECENCY_SECONDS}))",
            [self.text],
        )

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
        exact, exact_params = (
            ("d.identifiers @> %s::varchar[]", [self.ident]) if self.ident else ("false", [])
        )
        rank, rank_params = self.rank("c")
        cursor.execute(
            f"SELECT c.item_id, {rank} AS score FROM (SELECT d.item_id, d.vector, "  # noqa: S608
            f"d.published_at, {exact} AS exact FROM public.{TABLE} d WHERE {where} "
            f"ORDER BY exact DESC, {newest('d')} LIMIT {RANK_CANDIDATES}) AS c "
            f"ORDER BY c.exact DESC, score DESC, {newest('c')} LIMIT %s OFFSET %s",
            rank_params + exact_params + params + limit,
        )
        return cursor.fetchall()
