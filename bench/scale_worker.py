"""bench_scale's web workers: a process that serves one city's pages as a gunicorn worker would,
driven by bench_scale one command at a time.

The bench process that provisioned the sites is no stand-in for a web worker: its Python heap
holds what provisioning left, and its database backend has cloned hundreds of schemas (at 200
sites a request cost ×1.58 the CPU in that process that it costs in a worker). Nor can one
process serve both cities: a worker that has served 1,000 sites is slower on the one site's
page too, so the comparison would hide what the sites cost. bench_scale starts one worker for
the city of one site and one for the grown city, and alternates blocks of requests between
them: the machine's drift over minutes slows both alike, and each worker has only ever served
its own city.

`python -m bench.scale_worker` (BENCH_DATABASE names the city's database, as for every bench)
reads one JSON command a line on stdin, {"do": <method of Worker>, …arguments}, and answers each
with one line on stdout, RESULT followed by JSON. Progress goes to stderr.
"""

import contextlib
import gc
import json
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

RESULT = "@result "
FIRST_TOUCH = 100


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class GcClock:
    """Milliseconds in Python's cyclic garbage collector while installed, and the full
    (generation 2) collections: a process holding more objects pays longer full collections."""

    def __init__(self):
        self.ms, self.full, self._started = 0.0, 0, None

    def __call__(self, phase, info):
        if phase == "start":
            self._started = time.perf_counter()
        elif self._started is not None:
            self.ms += (time.perf_counter() - self._started) * 1000
            self.full += info["generation"] == 2
            self._started = None

    def __enter__(self):
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc):
        gc.callbacks.remove(self)


class Worker:
    """One city's sites (schema prefix "b"), served through Django's test client."""

    def __init__(self):
        from django.test import Client

        from tenants.models import Website

        self.websites = list(
            Website.objects.sites().filter(schema_name__startswith="b").order_by("schema_name")
        )
        self.hosts = [w.primary_domain for w in self.websites]
        self.client = Client()
        self.targets = {}  # view -> [(host, path)], one a site
        self.turn = 0

    def get(self, host, path="/"):
        from django.db import connection

        response = self.client.get(path, HTTP_HOST=host)
        connection.set_schema_to_public()
        assert response.status_code == 200, (host, path, response.status_code)
        return response

    @contextlib.contextmanager
    def page_cache(self, kind):
        from django.test import override_settings

        with override_settings(PAGECACHE_ENABLED=kind == "cached"):
            yield

    def sites(self):
        return len(self.websites)

    def memory(self):
        """RSS after serving the first 10 sites' home pages, after all, after a second round:
        a per-site cache that grows without bound shows as growth in the second half."""
        with self.page_cache("uncached"):
            for host in self.hosts[:10]:
                self.get(host)
            figures = {"rss_after_10_sites": rss_mb()}
            for host in self.hosts[10:]:
                self.get(host)
            figures["rss_after_all_sites"] = rss_mb()
            for host in self.hosts:
                self.get(host)
            figures["rss_after_second_round"] = rss_mb()
        return figures

    def first_touch(self):
        """Each of the first FIRST_TOUCH sites' home page twice on a new database backend, this
        process already warm for them: what a site's first request on a connection costs over
        its second (the backend reads the site's relations from the catalog)."""
        from django.db import connection

        from bench import harness

        hosts = self.hosts[:FIRST_TOUCH]
        wall, cpu = {"first": [], "second": []}, {"first": 0.0, "second": 0.0}
        with self.page_cache("uncached"):
            for host in hosts:
                self.get(host)
            connection.close()
            for host in hosts:
                for turn in ("first", "second"):
                    before = harness.backend_cpu()  # opens the connection outside the clock
                    started = time.perf_counter()
                    self.get(host)
                    wall[turn].append((time.perf_counter() - started) * 1000)
                    cpu[turn] += harness.backend_cpu() - before
        return {
            f"{turn}_{what}": value
            for turn in ("first", "second")
            for what, value in (
                ("median_ms", statistics.median(wall[turn])),
                ("backend_cpu_ms", cpu[turn] * 1000 / len(hosts)),
            )
        }

    def _targets(self, view):
        if view not in self.targets:
            from django_tenants.utils import schema_context

            from sites.core.models import ArticlePage

            def path(website):
                if view == "home":
                    return "/"
                with schema_context(website.schema_name):
                    page = ArticlePage.objects.live().order_by("pk").first()
                    assert page, f"{website.schema_name}: bench_scale publishes an article first"
                    return page.get_url_parts()[2]

            self.targets[view] = [(w.primary_domain, path(w)) for w in self.websites]
        return self.targets[view]

    def warm(self, view, kind):
        """Every site's page once (twice cached: the first stores it), so this process and its
        database backend have served every site, as a worker's long-lived connection has."""
        with self.page_cache(kind):
            for _ in range(2 if kind == "cached" else 1):
                for host, path in self._targets(view):
                    self.get(host, path)
        self.turn = 0
        return None

    def block(self, view, kind, size):
        """`size` requests going round the sites: [(wall, CPU, wall without the garbage
        collector, full collections)], in ms."""
        targets, samples = self._targets(view), []
        with self.page_cache(kind):
            for _ in range(size):
                host, path = targets[self.turn % len(targets)]
                self.turn += 1
                started, cpu = time.perf_counter(), time.process_time()
                with GcClock() as collector:
                    response = self.get(host, path)
                wall = (time.perf_counter() - started) * 1000
                cpu = (time.process_time() - cpu) * 1000
                if kind == "cached":  # a miss would measure a render
                    assert response["X-Page-Cache"] == "hit", (host, path)
                samples.append((wall, cpu, wall - collector.ms, collector.full))
        return samples

    def catalog_cache_mb(self):
        """The backend's relation and catalog caches: what serving many sites makes it hold."""
        from django.db import connection

        from bench import harness

        with connection.cursor() as cursor:
            return harness.catalog_cache_bytes(cursor) / 2**20


def main():
    import django

    django.setup()
    from django.core.cache import caches

    caches["pages"].clear()  # this worker's own page cache (PAGECACHE_DIR)
    worker = Worker()
    for line in sys.stdin:
        command = json.loads(line)
        if command["do"] == "quit":
            break
        result = getattr(worker, command.pop("do"))(**command)
        print(RESULT + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
