"""繁體 pages (issue 17): render time at /zh-hant/ vs the Simplified page, uncached and cached.

In-process test client through the whole middleware stack. Uncached: the page cache off, so
each 繁體 request renders the Simplified page and converts it with OpenCC (target ≤ 1.2×).
Cached: the page cache on (this bench's own files), every request a hit (target ≤ 1.05×).
"""

from django.core.cache import caches
from django.test import Client, override_settings

from bench import harness
from bench.bench_render import _article_path, _fill
from pagecache import middleware

REQUESTS = 150
ROUNDS = 3  # interleaved, so a burst of other work on a shared machine hits both sides


def _timed(client, host, path, expect_cache=None):
    def one():
        response = client.get(path, HTTP_HOST=host)
        assert response.status_code == 200, (path, response.status_code)
        if expect_cache:
            assert response["X-Page-Cache"] == expect_cache, (path, response["X-Page-Cache"])

    one()  # warm process-level caches (templates, converter, site roots)
    return harness.summary(harness.timed(one, REQUESTS))["p50"]


def _compare(host, path, cached):
    client = Client()
    simplified, traditional = [], []
    for _ in range(ROUNDS):
        simplified.append(_timed(client, host, path, "hit" if cached else None))
        traditional.append(_timed(client, host, "/zh-hant" + path, "hit" if cached else None))
    simplified.sort()
    traditional.sort()
    return simplified[ROUNDS // 2], traditional[ROUNDS // 2]


def run(report):
    website = harness.ensure_sites(1)[0]
    _fill(website)
    host = website.primary_domain
    pages = {"home": "/", "article": _article_path(website)}
    for view, path in pages.items():
        simplified, traditional = _compare(host, path, cached=False)
        report(f"zh_hant_{view}_uncached_simplified_p50", simplified, "ms")
        report(f"zh_hant_{view}_uncached_traditional_p50", traditional, "ms")
        report(f"zh_hant_{view}_uncached_ratio", traditional / simplified, "x (target <= 1.2)")
    with override_settings(PAGECACHE_ENABLED=True):
        caches["pages"].clear()
        middleware.forget_local_hosts()
        client = Client()
        for path in pages.values():  # learn the host, then store both copies
            for _ in range(2):
                client.get(path, HTTP_HOST=host)
                client.get("/zh-hant" + path, HTTP_HOST=host)
        for view, path in pages.items():
            simplified, traditional = _compare(host, path, cached=True)
            report(f"zh_hant_{view}_cached_simplified_p50", simplified, "ms")
            report(f"zh_hant_{view}_cached_traditional_p50", traditional, "ms")
            report(f"zh_hant_{view}_cached_ratio", traditional / simplified, "x (target <= 1.05)")
        caches["pages"].clear()
