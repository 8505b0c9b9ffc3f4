"""The production server under load: gunicorn + WhiteNoise + page cache on loopback, driven by wrk.

Measured (issue 5), each wrk run BENCH_SERVE_SECONDS (6) long, 16 connections:
- a static file of the same size as the home page (the ceiling: WhiteNoise, no database),
  a cached page, an uncached page — with 1 site provisioned and with BENCH_SERVE_SITES (200);
- cached/static throughput ratio (target ≥ 0.5), 200-site/1-site p95 (target ≤ 1.10);
- uncached home and article p95 at one connection (target < 100 ms), queries per view;
- publish → fresh page served by gunicorn (target < 1 s).
"Uncached" requests carry an unlisted query parameter, which the page cache never stores:
the page is rendered by Wagtail each time, through the same server and middleware.
Needs `wrk` (Debian package; installed here with apt-get when running as root).
BENCH_SERVE_REDIS_URL=redis://127.0.0.1:6379/<n> adds a cached run with the page cache in
Redis (that database is flushed first: use one of your own).
"""

import datetime
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from bench import harness
from sites.core.models import ArticlePage, ColumnPage

ROOT = Path(settings.BASE_DIR)
SECONDS = int(os.environ.get("BENCH_SERVE_SECONDS", "6"))
SITES = int(os.environ.get("BENCH_SERVE_SITES", "200"))
WARMUP_SECONDS = 2
CONNECTIONS = 16
ARTICLES = 40
UNCACHED = "?bench=uncached"  # an unlisted parameter: rendered every time, never stored
LUA = ROOT / "bench" / "wrk_report.lua"
STATIC_COPY = "bench/page-copy.html"


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if not found and os.geteuid() == 0 and shutil.which("apt-get"):
        print("   wrk is missing: apt-get install wrk …", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for cmd in (["apt-get", "install", "-y", "-qq", "wrk"], ["apt-get", "update", "-qq"],
                    ["apt-get", "install", "-y", "-qq", "wrk"]):
            subprocess.run(cmd, env=env, capture_output=True, check=False, timeout=300)
            found = shutil.which("wrk")
            if found:
                break
    if not found:
        raise SystemExit("bench_serve needs the load generator wrk: run `apt-get install wrk` "
                         "(Debian package) as root, then `make bench BENCH=serve` again.")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, host, path, timeout=10):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (loopback only)
        return response.status, dict(response.headers), response.read()


class Gunicorn:
    """The `make serve` server (deploy/gunicorn.conf.py) on the bench database, cache on."""

    def __init__(self, extra_env=None):
        self.port = free_port()
        log_path = ROOT / "var" / "bench" / "serve-gunicorn.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log = log_path.open("ab")
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.bench", "PAGECACHE": "1",
               "PORT": str(self.port), "BIND": f"127.0.0.1:{self.port}", **(extra_env or {})}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"],
            cwd=ROOT, env=env, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited ({self.process.returncode}); see {log_path}")
            try:
                get(self.port, "localhost", f"{settings.STATIC_URL}{STATIC_COPY}", timeout=2)
                return
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise SystemExit(f"gunicorn did not answer within 120 s; see {log_path}")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def wrk(port, path, hosts, *, connections=CONNECTIONS, threads=2, seconds=SECONDS) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".hosts", delete=False) as f:
        f.write("\n".join(hosts) + "\n")
        hosts_file = f.name
    try:
        out = subprocess.run(
            [ensure_wrk(), f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s",
             "-s", str(LUA), f"http://127.0.0.1:{port}", "--", hosts_file, path],
            capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    finally:
        os.unlink(hosts_file)
    data = json.loads(next(line for line in reversed(out.splitlines()) if line.startswith("JSON "))[5:])
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    if data["socket_errors"] or data["non_2xx"]:
        print(f"   !! {path}: {data['socket_errors']} socket errors, {data['non_2xx']} non-2xx", flush=True)
    return data


def fill(website) -> str:
    """40 published articles in the site's news and notice columns; (article path, its column path)."""
    with harness.schema_context(website.schema_name):
        if not ArticlePage.objects.exists():
            columns = list(ColumnPage.objects.filter(column_type__in=["news", "notices"]))
            for i in range(ARTICLES):
                page = ArticlePage(
                    title=f"关于做好2026年冬季供暖保障工作的通知（第{i}号）",
                    date=datetime.date(2026, 1, 1) + datetime.timedelta(days=i * 7),
                    source="区政府办公室", summary="为切实做好今冬明春供暖保障工作，现将有关事项通知如下。",
                    body=[("paragraph", "<p>" + "各街道办事处、区直各部门：为切实做好供暖保障工作。" * 20 + "</p>")],
                )
                columns[i % len(columns)].add_child(instance=page)
                page.save_revision().publish()
        article = ArticlePage.objects.live().order_by("pk").first()
        return article.get_url_parts()[2], article.get_parent().get_url_parts()[2]


def queries_per_view(host, paths) -> dict:
    client, counts = Client(), {}
    for view, path in paths.items():
        client.get(path, HTTP_HOST=host)  # warm per-process caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path, HTTP_HOST=host).status_code == 200
        counts[view] = len(queries.captured_queries)
    with override_settings(PAGECACHE_ENABLED=True):
        for _ in range(3):
            client.get("/", HTTP_HOST=host)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/", HTTP_HOST=host)
        assert response["X-Page-Cache"] == "hit", response["X-Page-Cache"]
        counts["cached_page"] = len(queries.captured_queries)
    connection.set_schema_to_public()
    return counts


def warm(port, hosts, path="/"):
    for host in hosts:
        for _ in range(3):
            status, headers, _ = get(port, host, path)
            if headers.get("X-Page-Cache") == "hit":
                break
        else:
            raise SystemExit(f"{host}{path} is not being cached: {headers.get('X-Page-Cache')}")


def measure(report, port, label, first_host, paths, hosts_all=None):
    """static, cached, uncached at CONNECTIONS; uncached home/article at one connection."""
    results = {}
    warm(port, [first_host])
    runs = [
        ("static", f"{settings.STATIC_URL}{STATIC_COPY}", [first_host], CONNECTIONS),
        ("cached", "/", [first_host], CONNECTIONS),
        ("uncached", "/" + UNCACHED, [first_host], CONNECTIONS),
        ("uncached_home_c1", "/" + UNCACHED, [first_host], 1),
        ("uncached_article_c1", paths["article"] + UNCACHED, [first_host], 1),
    ]
    if hosts_all:
        warm(port, hosts_all)
        runs += [("cached_rotating", "/", hosts_all, CONNECTIONS),
                 ("uncached_rotating", "/" + UNCACHED, hosts_all, CONNECTIONS)]
    for name, path, hosts, conns in runs:
        # Warm every worker thread (connections, templates, site roots) before measuring.
        wrk(port, path, hosts, connections=conns, threads=min(2, conns), seconds=WARMUP_SECONDS)
        data = wrk(port, path, hosts, connections=conns, threads=min(2, conns))
        results[name] = data
        key = f"serve_{name}_{label}"
        report(f"{key}_rps", data["rps"], "req/s")
        for pct in ("p50", "p95", "p99"):
            report(f"{key}_{pct}", data[f"{pct}_ms"], "ms")
    report(f"serve_cached_to_static_rps_{label}", results["cached"]["rps"] / results["static"]["rps"], "x")
    # The machine is shared: say how busy it was, so figures can be read in context.
    report(f"serve_loadavg_{label}", os.getloadavg()[0], "load")
    return results


def publish_to_fresh(report, port, website, rounds=5):
    host, samples, purge_to_fresh = website.primary_domain, [], []
    with harness.schema_context(website.schema_name):
        news = ColumnPage.objects.filter(column_type="news").first()
    for i in range(rounds):
        warm(port, [host])
        title = f"时效测试{i}-{uuid.uuid4().hex[:8]}"
        started = time.perf_counter()
        with harness.schema_context(website.schema_name):
            page = ArticlePage(title=title, date=datetime.date(2027, 1, 1) + datetime.timedelta(days=i),
                               body=[("paragraph", "<p>时效</p>")])
            news.add_child(instance=page)
            page.save_revision().publish()  # autocommit: the purge runs on commit, here
        published = time.perf_counter()
        deadline = published + 5
        while time.perf_counter() < deadline:
            if title.encode() in get(port, host, "/")[2]:
                break
            time.sleep(0.005)
        else:
            raise SystemExit(f"published page not on the home page after 5 s ({title})")
        samples.append((time.perf_counter() - started) * 1000)
        purge_to_fresh.append((time.perf_counter() - published) * 1000)
    connection.set_schema_to_public()
    report("serve_publish_to_fresh_p50", harness.summary(samples)["p50"], "ms")
    report("serve_publish_to_fresh_max", max(samples), "ms")
    report("serve_commit_to_fresh_max", max(purge_to_fresh), "ms")


def run(report):
    ensure_wrk()
    # The bench database was just rebuilt: copies from a previous run must not survive it.
    caches["pages"].clear()
    first = harness.ensure_sites(1)[0]
    article, column = fill(first)
    host = first.primary_domain
    paths = {"home": "/", "column": column, "article": article}
    for view, count in queries_per_view(host, paths).items():
        report(f"serve_queries_{view}", count, "queries")
    # The static ceiling: a file of exactly the home page's size, served by WhiteNoise.
    body = Client().get("/", HTTP_HOST=host).content
    connection.set_schema_to_public()
    static_copy = Path(settings.STATIC_ROOT) / STATIC_COPY
    static_copy.parent.mkdir(parents=True, exist_ok=True)
    static_copy.write_bytes(body)
    report("serve_page_bytes", len(body), "bytes")
    try:
        with Gunicorn() as server:
            one = measure(report, server.port, "1site", host, paths)
            publish_to_fresh(report, server.port, first)
        print(f"   provisioning up to {SITES} sites…", flush=True)
        all_sites = harness.ensure_sites(SITES)
        hosts_all = [w.primary_domain for w in all_sites]
        with Gunicorn() as server:  # a fresh server, as after a deploy with that many sites
            many = measure(report, server.port, f"{SITES}sites", host, paths, hosts_all)
        for name in ("static", "cached", "uncached"):
            report(f"serve_{name}_p95_ratio_{SITES}_to_1", many[name]["p95_ms"] / one[name]["p95_ms"], "x")
        redis_url = os.environ.get("BENCH_SERVE_REDIS_URL")
        if redis_url:  # a Redis database of your own: it is emptied first
            import redis

            redis.Redis.from_url(redis_url).flushdb()
            with Gunicorn({"REDIS_URL": redis_url}) as server:
                warm(server.port, [host])
                data = wrk(server.port, "/", [host])
                report("serve_cached_redis_1site_rps", data["rps"], "req/s")
                report("serve_cached_redis_1site_p95", data["p95_ms"], "ms")
    finally:
        static_copy.unlink(missing_ok=True)
