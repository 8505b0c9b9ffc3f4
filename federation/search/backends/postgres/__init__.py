"""PostgreSQL full text over jieba terms: the default backend, nothing to install.

The tsvector and the tsquery are both written by us, term by term, from jieba's words
(segment.py) and passed as bound parameters: PostgreSQL's own parser (which cannot cut Chinese)
never sees the text, and user input can never be tsquery syntax. The `simple` configuration
is implied: terms are stored exactly as given.

Three modules, one concern each: documents.py (what a row is made of), index.py (writing rows
and rebuilding the table), matching.py (the statements of a search).
"""

from ...query import SearchRequest
from ..base import SearchBackend, SearchResults
from . import index
from .matching import Matching, index_scans_only


class PostgresBackend(SearchBackend):
    name = "postgres"
    transactional = True

    def index_items(self, items) -> None:
        items = list(items)
        index.replace_rows(items, [i for i in items if self.is_indexable(i)])

    def rebuild(self, site=None, progress=None) -> int:
        return index.rebuild(site, progress)

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
