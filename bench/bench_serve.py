"""The production server under load: gunicorn + WhiteNoise + page cache on loopback, driven by wrk.

Measured (issue 5), 16 connections unless said:
- a static file of the same size as the home page (the ceiling: WhiteNoise, no database),
  a cached page, an uncached page — with 1 site provisioned and with BENCH_SERVE_SITES (200);
- cached/static throughput ratio (target ≥ 0.5), 200-site/1-site p95 (target ≤ 1.10);
- uncached home and article p95 at one connection (target < 100 ms), queries per view;
- publish → fresh page served by gunicorn (target < 1 s).
"Uncached" requests carry an unlisted query parameter, which the page cache never stores:
the page is rendered by Wagtail each time, through the same server and middleware.

How the 1-site / 200-site comparison is kept fair on a shared, noisy machine: the two cities
live in two databases (this bench's, and BENCH_DATABASE=<bench>_many with the 200 sites, made
by a subprocess), each served by its own gunicorn, both running at once. The figures are
taken in BENCH_SERVE_ROUNDS (3) interleaved rounds — 1 site, 200 sites, 1 site, … — and each
figure is the median of its rounds, so a burst of other work on the machine lands on both
sides instead of deciding the ratio. An idle gunicorn costs nothing while the other is driven.

Needs `wrk` (Debian package; installed here with apt-get when running as root).
BENCH_SERVE_REDIS_URL=redis://127.0.0.1:6379/<n> adds a cached run with the page cache in
Redis (that database is flushed first: use one of your own).
"""

import datetime
import json
import os
import shutil
import socket
import statistics
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
SECONDS = int(os.environ.get("BENCH_SERVE_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_SERVE_ROUNDS", "3"))
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
        for cmd in (
            ["apt-get", "install", "-y", "-qq", "wrk"],
            ["apt-get", "update", "-qq"],
            ["apt-get", "install", "-y", "-qq", "wrk"],
        ):
            subprocess.run(cmd, env=env, capture_output=True, check=False, timeout=300)
            found = shutil.which("wrk")
            if found:
                break
    if not found:
        raise SystemExit(
            "bench_serve needs the load generator wrk: run `apt-get install wrk` "
            "(Debian package) as root, then `make bench BENCH=serve` again."
        )
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
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.bench",
            "PAGECACHE": "1",
            "PORT": str(self.port),
            "BIND": f"127.0.0.1:{self.port}",
            **(extra_env or {}),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=self.log,
        )
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
            [
                ensure_wrk(),
                f"-t{threads}",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "5s",
                "-s",
                str(LUA),
                f"http://127.0.0.1:{port}",
                "--",
                hosts_file,
                path,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=True,
        ).stdout
    finally:
        os.unlink(hosts_file)
    data = json.loads(
        next(line for line in reversed(out.splitlines()) if line.startswith("JSON "))[5:]
    )
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    if data["socket_errors"] or data["non_2xx"]:
        print(
            f"   !! {path}: {data['socket_errors']} socket errors, {data['non_2xx']} non-2xx",
            flush=True,
        )
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
                    source="区政府办公室",
                    summary="为切实做好今冬明春供暖保障工作，现将有关事项通知如下。",
                    body=[
                        (
                            "paragraph",
                            "<p>"
                            + "各街道办事处、区直各部门：为切实做好供暖保障工作。" * 20
                            + "</p>",
                        )
                    ],
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


FIGURES = (  # name, path (key of `paths`, or a literal), connections
    ("static", "static", CONNECTIONS),
    ("cached", "home", CONNECTIONS),
    ("uncached", "home_uncached", CONNECTIONS),
    ("uncached_home_c1", "home_uncached", 1),
    ("uncached_article_c1", "article_uncached", 1),
)


def measure_round(port, host, paths, hosts_all=None, warmup=False) -> dict:
    """One round of every figure against one server; wrk's summary per figure."""
    urls = {
        "static": f"{settings.STATIC_URL}{STATIC_COPY}",
        "home": "/",
        "home_uncached": "/" + UNCACHED,
        "article_uncached": paths["article"] + UNCACHED,
    }
    runs = [(name, urls[path], [host], conns) for name, path, conns in FIGURES]
    if hosts_all:
        runs += [
            ("cached_rotating", "/", hosts_all, CONNECTIONS),
            ("uncached_rotating", "/" + UNCACHED, hosts_all, CONNECTIONS),
        ]
    results = {}
    for name, path, hosts, conns in runs:
        if warmup:  # every worker thread: connections, templates, site roots
            wrk(port, path, hosts, connections=conns, threads=min(2, conns), seconds=WARMUP_SECONDS)
        results[name] = wrk(port, path, hosts, connections=conns, threads=min(2, conns))
    return results


def report_rounds(report, label, rounds) -> dict:
    """Each figure as the median of its rounds; returns {figure: {stat: median}}."""
    medians = {}
    for name in rounds[0]:
        medians[name] = {
            stat: statistics.median(r[name][stat] for r in rounds)
            for stat in ("rps", "p50_ms", "p95_ms", "p99_ms")
        }
        key = f"serve_{name}_{label}"
        report(f"{key}_rps", medians[name]["rps"], "req/s")
        for pct in ("p50", "p95", "p99"):
            report(f"{key}_{pct}", medians[name][f"{pct}_ms"], "ms")
    report(
        f"serve_cached_to_static_rps_{label}",
        medians["cached"]["rps"] / medians["static"]["rps"],
        "x",
    )
    return medians


def publish_to_fresh(report, port, website, rounds=5):
    host, samples, purge_to_fresh = website.primary_domain, [], []
    with harness.schema_context(website.schema_name):
        news = ColumnPage.objects.filter(column_type="news").first()
    for i in range(rounds):
        warm(port, [host])
        title = f"时效测试{i}-{uuid.uuid4().hex[:8]}"
        started = time.perf_counter()
        with harness.schema_context(website.schema_name):
            page = ArticlePage(
                title=title,
                date=datetime.date(2027, 1, 1) + datetime.timedelta(days=i),
                body=[("paragraph", "<p>时效</p>")],
            )
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


def many_sites_database(count: int) -> tuple[str, dict]:
    """The second city: `count` sites in their own database, made by a subprocess (this
    process stays connected to the 1-site database). Returns (database name, its paths)."""
    name = f"{settings.DATABASES['default']['NAME']}_many"
    harness.ensure_database(name)  # a DATABASE_URL server does not create it for us
    alias = (
        f"{os.environ.get('BENCH_DATABASE', 'jiyue_bench')}_many"  # what settings turn into `name`
    )
    env = {**os.environ, "BENCH_DATABASE": alias}
    result = ROOT / "var" / "bench" / "serve-many-sites.json"
    result.unlink(missing_ok=True)
    subprocess.run(  # its progress lines go straight to the terminal
        [
            sys.executable,
            "-c",
            "import django, json, pathlib; django.setup(); "
            "from bench.bench_serve import prepare; "
            f"pathlib.Path({str(result)!r}).write_text(json.dumps(prepare({count:d})))",
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return alias, json.loads(result.read_text())


def prepare(count: int) -> dict:
    """In the subprocess: a fresh bench database (or, with BENCH_SERVE_REUSE=1, the one left
    by the last run) with `count` sites, the first one filled."""
    reuse = os.environ.get("BENCH_SERVE_REUSE") == "1"
    if not (reuse and "tenants_website" in connection.introspection.table_names()):
        harness.reset_database()
    sites = harness.ensure_sites(count)  # with BENCH_SERVE_REUSE, only the missing ones
    article, column = fill(sites[0])
    return {"article": article, "column": column, "hosts": [w.primary_domain for w in sites]}


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
    print(f"   the {SITES}-site city, in a second database (provisioning ~1 s a site)…", flush=True)
    many_db, many = many_sites_database(SITES)
    assert host in many["hosts"], "both cities measure the same first site"
    many_cache = (
        ROOT / "var" / "cache" / "bench-pages-many"
    )  # never shares entries with the 1-site server
    shutil.rmtree(many_cache, ignore_errors=True)
    label_many = f"{SITES}sites"
    try:
        with (
            Gunicorn() as one,
            Gunicorn({"BENCH_DATABASE": many_db, "PAGECACHE_DIR": str(many_cache)}) as big,
        ):
            warm(one.port, [host])
            warm(big.port, many["hosts"])
            rounds = {"1site": [], label_many: []}
            sides = [
                ("1site", lambda w: measure_round(one.port, host, paths, warmup=w)),
                (
                    label_many,
                    lambda w: measure_round(big.port, host, many, many["hosts"], warmup=w),
                ),
            ]
            for r in range(ROUNDS):
                order = sides if r % 2 == 0 else sides[::-1]  # neither side always goes first
                print(f"   round {r + 1}/{ROUNDS}: {order[0][0]}, then {order[1][0]}", flush=True)
                for label, measure in order:
                    rounds[label].append(measure(r == 0))
            report("serve_rounds", ROUNDS, "rounds")
            one_fig = report_rounds(report, "1site", rounds["1site"])
            many_fig = report_rounds(report, label_many, rounds[label_many])
            for name in ("static", "cached", "uncached", "uncached_home_c1", "uncached_article_c1"):
                report(
                    f"serve_{name}_p95_ratio_{SITES}_to_1",
                    many_fig[name]["p95_ms"] / one_fig[name]["p95_ms"],
                    "x",
                )
            # The machine is shared: say how busy it was, so figures can be read in context.
            report("serve_loadavg", os.getloadavg()[0], "load")
            publish_to_fresh(report, one.port, first)
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
