"""Wagtail's search index of one site: what indexing one saved page costs as the site grows.

Every page save (an editor's, an import's, a syndicated copy's) ends in the site's Wagtail
search index. Measured here: wall time of `index.add_item(page)` for one article, the stock
backend (modelsearch's PostgresIndex) against config.search_index's, in one site holding
BENCH_SEARCH_INDEX_ENTRIES (20,000) entries, BENCH_SEARCH_INDEX_SAVES (40) saves each,
interleaved in blocks of 10. The database does the work, so wall time, not this process's CPU.
"""

import os
import statistics
import time

from django.db import connection
from django.db.models import Max
from django_tenants.utils import schema_context
from modelsearch.backends.database.postgres.postgres import PostgresSearchBackend
from wagtail.search.models import IndexEntry

from bench.harness import ensure_sites
from config.search_index import SearchBackend
from sites.core.models import ArticlePage
from tests.factories import make_article

ENTRIES = int(os.environ.get("BENCH_SEARCH_INDEX_ENTRIES", "20000"))
SAVES = int(os.environ.get("BENCH_SEARCH_INDEX_SAVES", "40"))


def _fill(article) -> None:
    """Copies of the article's own entry under other object ids, until the index holds ENTRIES."""
    have = IndexEntry.objects.count()
    if have >= ENTRIES:
        return
    entry = IndexEntry.objects.filter(object_id=str(article.pk)).first()
    first = int(IndexEntry.objects.aggregate(Max("id"))["id__max"] or 0) + 1_000_000
    print(f"   filling the index: {have} → {ENTRIES} entries", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO wagtailsearch_indexentry (content_type_id, object_id, title_norm, "
            "autocomplete, title, body, title_text, body_text) "
            "SELECT content_type_id, (%s + n)::text, 0.9, autocomplete, title, body, "
            "title_text, body_text FROM wagtailsearch_indexentry, generate_series(1, %s) n "
            "WHERE id = %s",
            [first, ENTRIES - have, entry.id],
        )
        cursor.execute("ANALYZE wagtailsearch_indexentry")


def run(report):
    site = ensure_sites(1, prefix="si")[0]
    with schema_context(site.schema_name):
        article = ArticlePage.objects.first()
    if article is None:
        make_article(
            site, "关于做好冬季供暖保障工作的通知", "各街道、各有关单位：为做好今冬供暖保障……"
        )
    with schema_context(site.schema_name):
        article = ArticlePage.objects.first()
        _fill(article)
        backends = {
            "stock": PostgresSearchBackend({"SEARCH_CONFIG": "simple"}),
            "jiyue": SearchBackend({"SEARCH_CONFIG": "simple"}),
        }
        times = {name: [] for name in backends}
        for _block in range(SAVES // 10):
            for name, backend in backends.items():
                index = backend.get_index_for_model(ArticlePage)
                for _ in range(10):
                    started = time.perf_counter()
                    index.add_item(article)
                    times[name].append(time.perf_counter() - started)
        for name, samples in times.items():
            report(
                f"search_index_save_{name}_at_{ENTRIES}_entries_ms",
                statistics.median(samples) * 1000,
                "ms",
            )
        report(
            "search_index_save_ratio_stock_to_jiyue",
            statistics.median(times["stock"]) / statistics.median(times["jiyue"]),
            "x",
        )
