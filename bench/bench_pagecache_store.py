"""The page cache on files (the embedded default): what one store costs as the cache fills.

Django's FileBasedCache against pagecache.filecache.PageFileCache, in this process, on
BENCH_PAGECACHE_FILES (6,000) cached pages in a scratch directory: CPU per store, mean over
BENCH_PAGECACHE_STORES (500) stores of a 40 KB page, the two interleaved in blocks of 100.
"""

import os
import shutil
import tempfile
import time

from django.core.cache.backends.filebased import FileBasedCache

from pagecache.filecache import PageFileCache

FILES = int(os.environ.get("BENCH_PAGECACHE_FILES", "6000"))
STORES = int(os.environ.get("BENCH_PAGECACHE_STORES", "500"))
PAGE = b"<html>" + os.urandom(40_000) + b"</html>"


def run(report):
    folder = tempfile.mkdtemp(prefix="bench-pagecache-")
    try:
        options = {"OPTIONS": {"MAX_ENTRIES": FILES * 2}}
        caches = {
            "django": FileBasedCache(folder, options),
            "jiyue": PageFileCache(folder, options),
        }
        for n in range(FILES):
            caches["jiyue"].set(f"fill-{n}", PAGE)
        cpu = dict.fromkeys(caches, 0.0)
        for block in range(STORES // 100):
            for name, cache in caches.items():
                started = time.process_time()
                for n in range(100):
                    cache.set(f"{name}-{block}-{n}", PAGE)
                cpu[name] += time.process_time() - started
        for name in caches:
            report(f"pagecache_store_cpu_{name}_at_{FILES}_files", cpu[name] / STORES * 1000, "ms")
        report("pagecache_store_cpu_ratio_django_to_jiyue", cpu["django"] / cpu["jiyue"], "x")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
