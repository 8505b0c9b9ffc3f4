"""Issue 19: the site family at scale, in one run (sizes from the environment).

- Provisioning as sites accumulate, BENCH_SCALE_SITES (default 100) new sites: every
  BENCH_SCALE_CLONE_EVERY-th (10) is cloned from the template (no spare ready: how every site
  was made before), the others are renamed from a spare (tenants.spares). After each site the
  pool is refilled as the periodic job does, timed apart: that is the worker's time, not the
  operator's. Per-10 medians of both paths show what grows and what stays flat, in wall time
  and in CPU time (Python, and the PostgreSQL backend read from /proc): on a shared machine
  the load inflates wall time several-fold and CPU time much less.
- The catalog those sites make: pg_class rows, schemas, database size.
- Migrations over every schema (tenants.migrating): a no-op run (and the whole no-op
  `setup_platform`: shared schema, every site, spares, role groups), then a real additive
  migration (wagtailembeds.0009_embed_cache_until, an AddField, unapplied in every schema
  first) with BENCH_SCALE_PROCESSES (2) processes. With BENCH_SCALE_COMPARE=1 (default) the
  no-op run of django-tenants' own `migrate_schemas` too, the path setup_platform took before.
- Memory and pages, measured in web worker processes (bench.scale_worker), one a city, each
  having only ever served its own city: this process's heap and database backend hold what
  provisioning left, and a worker that has served 1,000 sites is slower on one site's page too.
  The grown city's worker: its RSS after serving the first 10 sites' home pages, after all, and
  after a second round (a per-site cache that grows without bound shows as growth in the
  second half). Then a home page and an article, uncached and from the page cache, of the city
  of one site (a copy of the bench database made before provisioning) and of the grown city,
  the requests going round every site: each worker serves its city's every page once (a
  connection that lives on has served every site), then BENCH_SCALE_ALTERNATIONS (48) blocks
  of 25 requests a city alternate between the two workers, so the machine's drift over
  minutes slows both alike (with 300 requests a city the p95, the 15th slowest, moved by
  ±0.07 between runs; with 1,200 by ±0.03). The ratio all/1 is the figure: target ≤ 1.10
  uncached, cached unchanged. Wall time and the worker's CPU time per request (the
  database's share is in the wall time only), p95 and median. Beside it, what a site's first
  request on a new database backend costs over its second (the backend reads that site's
  relations from the catalog), and each backend's catalog cache once warm.
- Connections: the backends BENCH_POOLER_CLIENTS (16) threads use serving every site in turn,
  straight to PostgreSQL and through PgBouncer with BENCH_POOLER_POOL (4) server connections
  (bench_pooler's drive, BENCH_POOLER_SECONDS each).
BENCH_SCALE_PARTS (default all: migrations,memory,pages,connections) chooses the parts measured
after provisioning and the catalog.

Load figures (`os.getloadavg`) are reported beside the timings: the machine is shared.
"""

import datetime
import json
import os
import statistics
import subprocess
import sys
import time

from django.core.management import call_command
from django.db import OperationalError, connection, transaction

from bench import harness
from bench.scale_worker import RESULT
from sites.core.models import ArticlePage, ColumnPage
from tenants import migrating, spares
from tenants.models import Website

SITES = int(os.environ.get("BENCH_SCALE_SITES", "100"))
CLONE_EVERY = int(os.environ.get("BENCH_SCALE_CLONE_EVERY", "10"))
PROCESSES = int(os.environ.get("BENCH_SCALE_PROCESSES", "2"))
COMPARE = os.environ.get("BENCH_SCALE_COMPARE", "1") == "1"
# The parts measured after provisioning (and the catalog), by name: a 1,000-site run of them all
# takes hours on two cores; BENCH_SCALE_PARTS=migrations measures that part alone.
PARTS = os.environ.get("BENCH_SCALE_PARTS", "migrations,memory,pages,connections").split(",")
# The pages measured: the article view publishes an article on every site first (about an
# hour at 1,000 sites here); BENCH_SCALE_PAGE_VIEWS=home leaves it out.
PAGE_VIEWS = os.environ.get("BENCH_SCALE_PAGE_VIEWS", "home,article").split(",")
LEAF = ("wagtailembeds", "0009_embed_cache_until")


def load() -> float:
    return round(os.getloadavg()[0], 1)


def cpu_with_children() -> float:
    """CPU seconds of this process and its reaped children (forked migration workers)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def retried(work):
    """`work`, tried again while the database server's lock table is full: the server is
    shared with other jobs here, and one clone holds ~2,900 locks (docs/operations.md)."""
    for attempt in range(4):
        try:
            return work()
        except OperationalError as exc:
            if "out of shared memory" not in str(exc) or attempt == 3:
                raise
            RETRIES.append(str(exc).splitlines()[0])
            print("   the server's lock table is full (other jobs); retrying in 10 s", flush=True)
            connection.close()
            time.sleep(10)
    return None


RETRIES = []


def measured(work):
    """(wall, Python CPU, backend CPU) of `work`, run in one transaction on one connection;
    the connection is closed afterwards, as provisioning and the refill do."""
    before, py, wall = harness.backend_cpu(), time.process_time(), time.perf_counter()
    with transaction.atomic():
        work()
        after = harness.backend_cpu()
    figures = (
        time.perf_counter() - wall,
        time.process_time() - py,
        after - before if before is not None and after is not None else float("nan"),
    )
    connection.close()
    return figures


def provision_sites(report) -> list[str]:
    existing = Website.objects.sites().filter(schema_name__startswith="b").count()
    samples = {"spare": [], "cloned": [], "refill": []}  # (n, wall, py cpu, backend cpu)
    for n, i in enumerate(range(existing, existing + SITES), start=1):
        path = "spare" if n % CLONE_EVERY else "cloned"
        held = spares.spare_schemas() if path == "cloned" else []
        with connection.cursor() as cursor:  # set the pool aside: this one clones
            for spare in held:
                cursor.execute(f'ALTER SCHEMA "{spare}" RENAME TO "held_{spare}"')
        samples[path].append((n, *retried(lambda i=i: measured(lambda: harness.provision(i)))))
        with connection.cursor() as cursor:
            for spare in held:
                cursor.execute(f'ALTER SCHEMA "held_{spare}" RENAME TO "{spare}"')
        made = {}
        refill = measured(lambda made=made: made.update(spares.replenish()))
        if made["made"]:
            samples["refill"].append((n, *(x / made["made"] for x in refill)))
        if n % 10 == 0:
            line = [f"   {n}/{SITES} (load {load()}), per-10 medians wall / py cpu / db cpu:"]
            for name, rows in samples.items():
                last = [r for r in rows if r[0] > n - 10]
                if last:
                    line.append(
                        f"{name} "
                        + " / ".join(
                            f"{statistics.median(r[k] for r in last):.2f}" for k in (1, 2, 3)
                        )
                    )
            print("  ".join(line), flush=True)
    for name, rows in samples.items():
        if len(rows) < 2:
            continue
        half = len(rows) // 2
        for label, part in (("first_half", rows[:half]), ("second_half", rows[half:])):
            for k, what in ((1, "wall"), (2, "python_cpu"), (3, "db_cpu")):
                report(
                    f"scale_provision_{name}_{what}_median_{label}",
                    statistics.median(r[k] for r in part),
                    "s",
                )
        report(
            f"scale_provision_{name}_db_cpu_ratio_second_first",
            statistics.median(r[3] for r in rows[half:])
            / statistics.median(r[3] for r in rows[:half]),
            "x",
        )
    report("scale_sites", Website.objects.sites().count(), "sites")
    report("scale_provision_retries_lock_table_full", len(RETRIES), "retries")
    report("scale_load_after_provisioning", load(), "load")
    return migrating.tenant_schemas()


def catalog(report):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM pg_class), (SELECT count(*) FROM pg_namespace), "
            "pg_database_size(current_database())"
        )
        classes, namespaces, size = cursor.fetchone()
    report("scale_catalog_pg_class_rows", classes, "rows")
    report("scale_catalog_schemas", namespaces, "schemas")
    report("scale_database_size", size / 2**20, "MB")


def migrations(report, schemas):
    quiet = lambda line: None  # noqa: E731
    started = time.perf_counter()
    run = migrating.migrate_sites(schemas, processes=PROCESSES, progress=quiet)
    report("scale_noop_migrate_sites", time.perf_counter() - started, "s")
    assert run.ok and not run.migrated, run
    started, cpu = time.perf_counter(), time.process_time()
    with open(os.devnull, "w") as devnull:
        call_command("setup_platform", stdout=devnull)
    elapsed = time.perf_counter() - started
    report("scale_noop_setup_platform", elapsed, "s")
    report("scale_noop_setup_platform_per_site", elapsed / len(schemas) * 1000, "ms")
    report("scale_noop_setup_platform_python_cpu", time.process_time() - cpu, "s")
    if COMPARE:
        started = time.perf_counter()
        call_command("migrate_schemas", tenant=True, interactive=False, verbosity=0)
        report("scale_noop_migrate_schemas_django_tenants", time.perf_counter() - started, "s")
        connection.set_schema_to_public()

    with connection.cursor() as cursor:  # the additive migration, unapplied everywhere
        for schema in schemas:
            cursor.execute(
                f'DELETE FROM "{schema}".django_migrations WHERE app = %s AND name = %s',  # noqa: S608
                list(LEAF),
            )
            cursor.execute(f'ALTER TABLE "{schema}".wagtailembeds_embed DROP COLUMN cache_until')
    started, cpu = time.perf_counter(), cpu_with_children()
    run = migrating.migrate_sites(schemas, processes=PROCESSES, progress=quiet)
    elapsed = time.perf_counter() - started
    assert run.ok and len(run.migrated) == len(schemas), run.failed
    report("scale_additive_migrate_sites", elapsed, "s")
    report("scale_additive_migrate_per_schema", elapsed / len(schemas), "s")
    # The workers' Python CPU (they are reaped when the pool closes), not the server's.
    report(
        "scale_additive_migrate_python_cpu_per_schema",
        (cpu_with_children() - cpu) / len(schemas),
        "s",
    )
    report("scale_migrate_processes", PROCESSES, "processes")
    report("scale_load_after_migrations", load(), "load")


def article_path(website) -> str:
    """The path of the site's one bench article, published on first use."""
    with harness.schema_context(website.schema_name):
        article = ArticlePage.objects.live().order_by("pk").first()
        if article is None:
            article = ArticlePage(
                title="关于做好2026年冬季供暖保障工作的通知",
                date=datetime.date(2026, 12, 1),
                source="区政府办公室",
                summary="为切实做好今冬明春供暖保障工作，现将有关事项通知如下。",
                body=[
                    ("paragraph", "<p>" + "各街道办事处、区直各部门：做好供暖保障。" * 20 + "</p>")
                ],
            )
            ColumnPage.objects.filter(column_type="news").first().add_child(instance=article)
            article.save_revision().publish()
        return article.get_url_parts()[2]


def _maintenance(settings: dict):
    """A connection to the server's maintenance database (`postgres`), in autocommit: the one
    place a database can be copied or dropped from."""
    import psycopg

    return psycopg.connect(
        dbname="postgres",
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        autocommit=True,
    )


def copy_city_of_one() -> dict:
    """A copy of the bench database while it holds its one site, to measure beside the grown
    one (`web_workers`): the connection's settings for it. Made from the maintenance
    database: PostgreSQL copies a database only while nobody is connected to it."""
    settings = dict(connection.settings_dict)
    copy = f"{settings['NAME']}_city_of_one"
    connection.close()
    with _maintenance(settings) as maintenance:
        maintenance.execute(f'DROP DATABASE IF EXISTS "{copy}"')
        maintenance.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{settings["NAME"]}"')
    return {**settings, "NAME": copy}


def drop_city_of_one(settings: dict) -> None:
    with _maintenance(settings) as maintenance:
        maintenance.execute(f'DROP DATABASE IF EXISTS "{settings["NAME"]}" WITH (FORCE)')


ALTERNATIONS = int(os.environ.get("BENCH_SCALE_ALTERNATIONS", "48"))
BLOCK = 25


class WebWorker:
    """A bench.scale_worker process serving one city (its database: BENCH_DATABASE, and its
    own page cache), driven one command at a time."""

    def __init__(self, database: str, page_cache: str):
        env = {**os.environ, "BENCH_DATABASE": database, "PAGECACHE_DIR": page_cache}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.scale_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )

    def __call__(self, do: str, **arguments):
        self.process.stdin.write(json.dumps({"do": do, **arguments}) + "\n")
        self.process.stdin.flush()
        for line in self.process.stdout:
            if line.startswith(RESULT):
                return json.loads(line.removeprefix(RESULT))
        raise RuntimeError(f"the web worker stopped ({do}): its error is printed above")

    def close(self):
        if self.process.poll() is None:
            self.process.stdin.write(json.dumps({"do": "quit"}) + "\n")
            self.process.stdin.close()
        self.process.wait(timeout=60)


def web_workers(report, one_settings: dict | None):
    """The memory and pages parts, in web worker processes (bench.scale_worker): one for the
    grown city and, for the pages, one for the city of one (the copy made before
    provisioning), requests alternating between them in blocks."""
    database = os.environ.get("BENCH_DATABASE", "jiyue_bench")
    pages_dir = os.environ["PAGECACHE_DIR"]
    grown = WebWorker(database, f"{pages_dir}-grown")
    one = None
    try:
        n = grown("sites")
        if "memory" in PARTS:
            print(f"   a web worker serving every site, twice (load {load()})…", flush=True)
            memory = grown("memory")
            report("scale_rss_after_10_sites", memory["rss_after_10_sites"], "MB")
            report(f"scale_rss_after_{n}_sites", memory["rss_after_all_sites"], "MB")
            report("scale_rss_after_second_round", memory["rss_after_second_round"], "MB")
            if n > 10:
                growth = memory["rss_after_all_sites"] - memory["rss_after_10_sites"]
                report("scale_rss_growth_per_site", growth * 1024 / (n - 10), "KB")
        if "pages" in PARTS:
            if "article" in PAGE_VIEWS:
                print(f"   an article on each of {n} sites…", flush=True)
                for website in Website.objects.sites().filter(schema_name__startswith="b"):
                    article_path(website)
            one = WebWorker(f"{database}_city_of_one", f"{pages_dir}-city-of-one")
            assert one("sites") < n, "the city of one is not the copy made before provisioning"
            pages(report, one, grown, n)
    finally:
        for worker in (grown, one):
            if worker is not None:
                worker.close()


def pages(report, one: WebWorker, grown: WebWorker, n: int):
    for view in PAGE_VIEWS:
        for kind in ("uncached", "cached"):
            print(f"   {view}, {kind}: every page once in each worker (load {load()})…", flush=True)
            one("warm", view=view, kind=kind)
            grown("warm", view=view, kind=kind)
            print(f"   … then {ALTERNATIONS} blocks of {BLOCK} a city, alternating", flush=True)
            samples = {"one": [], "all": []}
            for _ in range(ALTERNATIONS):
                samples["one"] += one("block", view=view, kind=kind, size=BLOCK)
                samples["all"] += grown("block", view=view, kind=kind, size=BLOCK)
            p95 = {
                city: [harness.percentile([row[k] for row in rows], 95) for k in (0, 1, 2)]
                for city, rows in samples.items()
            }
            full = {city: sum(row[3] for row in rows) for city, rows in samples.items()}
            name = f"scale_page_{view}_{kind}"
            report(f"{name}_p95_1site", p95["one"][0], "ms")
            report(f"{name}_p95_{n}sites", p95["all"][0], "ms")
            report(f"{name}_cpu_p95_1site", p95["one"][1], "ms")
            report(f"{name}_cpu_p95_{n}sites", p95["all"][1], "ms")
            report(f"{name}_p95_ratio_all_to_1", p95["all"][0] / p95["one"][0], "x")
            print("   target: ≤ 1.10" if kind == "uncached" else "   target: unchanged", flush=True)
            report(f"{name}_cpu_p95_ratio_all_to_1", p95["all"][1] / p95["one"][1], "x")
            report(f"{name}_p95_without_gc_ratio_all_to_1", p95["all"][2] / p95["one"][2], "x")
            # The median moves less between runs than the p95 (the 15th slowest of 300).
            p50 = {
                c: harness.percentile([row[0] for row in rows], 50) for c, rows in samples.items()
            }
            report(f"{name}_p50_ratio_all_to_1", p50["all"] / p50["one"], "x")
            report(f"{name}_full_collections_1site_vs_all", f"{full['one']} vs {full['all']}", "")
    report("scale_page_requests_a_city_and_kind", ALTERNATIONS * BLOCK, "requests")
    report("scale_backend_catalog_cache_1site", one("catalog_cache_mb"), "MB")
    report(f"scale_backend_catalog_cache_{n}sites", grown("catalog_cache_mb"), "MB")
    # The blocks above measure backends that have served every site, as a connection that
    # lives on does (PgBouncer's server_lifetime); a site's first request on a new one costs more.
    print(f"   each site's first request on a new database backend (load {load()})…", flush=True)
    touch = grown("first_touch")
    report("scale_page_home_first_request_on_backend_median", touch["first_median_ms"], "ms")
    report("scale_page_home_second_request_on_backend_median", touch["second_median_ms"], "ms")
    report("scale_page_home_first_request_backend_cpu", touch["first_backend_cpu_ms"], "ms")
    report("scale_page_home_second_request_backend_cpu", touch["second_backend_cpu_ms"], "ms")
    report("scale_load_after_pages", load(), "load")


def connections_at_scale(report):
    """The PostgreSQL backends BENCH_POOLER_CLIENTS threads use while serving every site in
    turn, straight and through a transaction-pooling PgBouncer (bench_pooler's drive and
    pool): the number of sites does not multiply connections (deploy/README.md)."""
    from bench.bench_pooler import alias, drive
    from tests.deployment import pgbouncer, through

    clients = int(os.environ.get("BENCH_POOLER_CLIENTS", "16"))
    pool = int(os.environ.get("BENCH_POOLER_POOL", "4"))
    websites = list(Website.objects.sites().filter(schema_name__startswith="b"))
    base = connection.settings_dict
    with alias("direct", {**base, "CONN_MAX_AGE": 0}):
        _, direct, wrong = drive("direct", websites, clients)
    try:
        with (
            pgbouncer(base, pool_size=pool) as port,
            alias("pooled", through(base, port, ENGINE="config.pgbouncer_backend")),
        ):
            _, pooled, pooled_wrong = drive("pooled", websites, clients)
    except BaseException as exc:  # pytest's skip when PgBouncer is not installed
        if type(exc).__name__ != "Skipped":
            raise
        print(f"   skipped the pooled run: {exc}", flush=True)
        pooled, pooled_wrong = None, 0
    report(f"scale_connections_{clients}_clients_{len(websites)}_sites_direct", direct, "backends")
    if pooled is not None:
        report(f"scale_connections_{clients}_clients_pgbouncer_pool_{pool}", pooled, "backends")
    report("scale_connections_wrong_site_reads", wrong + pooled_wrong, "reads")


def run(report):
    spares.replenish()
    one_settings = None
    if "pages" in PARTS:
        first = harness.ensure_sites(1)[0]  # the city's first site, still alone
        if "article" in PAGE_VIEWS:
            article_path(first)
        one_settings = copy_city_of_one()
    schemas = provision_sites(report)
    catalog(report)
    if "migrations" in PARTS:
        migrations(report, schemas)
    try:
        if "memory" in PARTS or "pages" in PARTS:
            web_workers(report, one_settings)
    finally:
        if one_settings is not None:
            drop_city_of_one(one_settings)
    if "connections" in PARTS:
        connections_at_scale(report)
