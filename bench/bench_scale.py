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
- Memory of a web worker that touches every site: this process serves each site's home page
  (uncached) through Django's test client, and its RSS is read after the first 10 sites, after
  all, and after a second round over all (a per-site cache that grows without bound shows as
  growth in the second half; a bounded one levels off).
- Page p95 at 1 site and at all sites: a home page and an article, uncached and from the
  page cache, through Django's test client in this process, first on a city of one site
  (before provisioning), then again after provisioning with the requests going round every
  site of the run (BENCH_SCALE_PAGE_REQUESTS a kind, at least one a site, after a warm-up
  round). The ratio all/1 is the figure: target ≤ 1.10 uncached, cached unchanged. Wall time
  and this process's CPU time per request (the database's share is in the wall time only).
  Then the first site alone again (same process, same and a new database backend), and the
  two cities in alternating blocks (BENCH_SCALE_ALTERNATIONS blocks of 25 each, from a copy
  of the database made while it held one site): the machine's drift between the two phases
  cancels out.
- Connections: the backends BENCH_POOLER_CLIENTS (16) threads use serving every site in turn,
  straight to PostgreSQL and through PgBouncer with BENCH_POOLER_POOL (4) server connections
  (bench_pooler's drive, BENCH_POOLER_SECONDS each).
BENCH_SCALE_PARTS (default all: migrations,memory,pages,connections) chooses the parts measured
after provisioning and the catalog.

Load figures (`os.getloadavg`) are reported beside the timings: the machine is shared.
"""

import datetime
import gc
import os
import statistics
import time

from django.core.cache import caches
from django.core.management import call_command
from django.db import OperationalError, connection, transaction
from django.test import Client, override_settings

from bench import harness
from sites.core.models import ArticlePage, ColumnPage
from tenants import migrating, spares
from tenants.models import Website

SITES = int(os.environ.get("BENCH_SCALE_SITES", "100"))
CLONE_EVERY = int(os.environ.get("BENCH_SCALE_CLONE_EVERY", "10"))
PROCESSES = int(os.environ.get("BENCH_SCALE_PROCESSES", "2"))
COMPARE = os.environ.get("BENCH_SCALE_COMPARE", "1") == "1"
PAGE_REQUESTS = int(os.environ.get("BENCH_SCALE_PAGE_REQUESTS", "100"))
WARM_UP = 20
# The parts measured after provisioning (and the catalog), by name: a 1,000-site run of them all
# takes hours on two cores; BENCH_SCALE_PARTS=migrations measures that part alone.
PARTS = os.environ.get("BENCH_SCALE_PARTS", "migrations,memory,pages,connections").split(",")
# The pages measured: the article view publishes an article on every site first (about an
# hour at 1,000 sites here); BENCH_SCALE_PAGE_VIEWS=home leaves it out.
PAGE_VIEWS = os.environ.get("BENCH_SCALE_PAGE_VIEWS", "home,article").split(",")
LEAF = ("wagtailembeds", "0009_embed_cache_until")


def load() -> float:
    return round(os.getloadavg()[0], 1)


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def backend_cpu() -> float | None:
    """CPU seconds of this connection's PostgreSQL backend (a server on this machine), which
    the load on a shared machine inflates far less than wall time; None when unreadable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
    before, py, wall = backend_cpu(), time.process_time(), time.perf_counter()
    with transaction.atomic():
        work()
        after = backend_cpu()
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


@override_settings(PAGECACHE_ENABLED=False)
def memory(report):
    hosts = list(
        Website.objects.sites()
        .filter(schema_name__startswith="b")
        .order_by("schema_name")
        .values_list("domains__domain", flat=True)
    )
    client = Client()

    def touch(batch):
        for host in batch:
            response = client.get("/", HTTP_HOST=host)
            assert response.status_code == 200, (host, response.status_code)
            connection.set_schema_to_public()

    touch(hosts[:10])
    after_ten = rss_mb()
    touch(hosts[10:])
    after_all = rss_mb()
    touch(hosts)
    after_second_round = rss_mb()
    report("scale_rss_after_10_sites", after_ten, "MB")
    report(f"scale_rss_after_{len(hosts)}_sites", after_all, "MB")
    report("scale_rss_after_second_round", after_second_round, "MB")
    if len(hosts) > 10:
        report(
            "scale_rss_growth_per_site",
            (after_all - after_ten) * 1024 / (len(hosts) - 10),
            "KB",
        )


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


class GcClock:
    """Milliseconds this process spent in Python's cyclic garbage collector, and the full
    (generation 2) collections, while it is installed: a process holding more objects (every
    site's cached pieces) pays longer full collections, which a p95 catches."""

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


def page_p95(websites) -> dict:
    """{(view, "uncached"|"cached"): (wall p95 ms, cpu p95 ms, wall p95 ms with the garbage
    collector's pauses taken out, full collections)} over these sites' pages, the requests
    going round the sites."""
    pages = {view: [] for view in PAGE_VIEWS}
    for website in websites:
        if "home" in pages:
            pages["home"].append((website.primary_domain, "/"))
        if "article" in pages:
            pages["article"].append((website.primary_domain, article_path(website)))
    connection.set_schema_to_public()
    caches["pages"].clear()
    client, figures = Client(), {}

    def get(host, path):
        response = client.get(path, HTTP_HOST=host)
        connection.set_schema_to_public()
        assert response.status_code == 200, (host, path, response.status_code)
        return response

    for kind in ("uncached", "cached"):
        with override_settings(PAGECACHE_ENABLED=kind == "cached"):
            for view, targets in pages.items():
                # Warm-up: every page at least once (twice cached: the first stores it), and
                # at least WARM_UP requests, so one site gets as warm a process as many.
                rounds = 2 if kind == "cached" else 1
                for n in range(max(WARM_UP, rounds * len(targets))):
                    get(*targets[n % len(targets)])
                wall, cpu, without_gc, full = [], [], [], 0
                for n in range(max(PAGE_REQUESTS, len(targets))):
                    host, path = targets[n % len(targets)]
                    started, cpu_started = time.perf_counter(), time.process_time()
                    with GcClock() as collector:
                        response = get(host, path)
                    wall.append((time.perf_counter() - started) * 1000)
                    cpu.append((time.process_time() - cpu_started) * 1000)
                    without_gc.append(wall[-1] - collector.ms)
                    full += collector.full
                    if kind == "cached":  # a miss would measure a render
                        assert response["X-Page-Cache"] == "hit", (host, path)
                figures[(view, kind)] = (
                    harness.percentile(wall, 95),
                    harness.percentile(cpu, 95),
                    harness.percentile(without_gc, 95),
                    full,
                )
    return figures


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
    one (`alternating_p95`): the connection's settings for it. Made from the maintenance
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


ALTERNATIONS = int(os.environ.get("BENCH_SCALE_ALTERNATIONS", "12"))
BLOCK = 25


def alternating_p95(websites, one_settings: dict) -> dict:
    """Uncached home pages of the city of one (its copy made before provisioning) and of the
    grown city, in alternating blocks of BLOCK requests from one process, the request's
    database connection swapped between blocks: a machine whose speed drifts over minutes
    slows both alike, where the figures measured one after the other (`pages`) take the drift
    into their ratio. {"one"|"all": (wall p95 ms, cpu p95 ms)}."""
    from django.db import connections

    grown = connections["default"]
    one = type(grown)(one_settings, alias="default")
    with one.cursor() as cursor:  # the copy, not the grown city, is what the blocks will read
        cursor.execute(
            f"SELECT count(*) FROM public.{Website._meta.db_table} WHERE kind <> 'template'"
        )
        alone = cursor.fetchone()[0]
    assert alone < len(websites), f"the city of one has {alone} sites"
    hosts = {"one": [websites[0].primary_domain], "all": [w.primary_domain for w in websites]}
    samples = {"one": ([], []), "all": ([], [])}
    turn = {"one": 0, "all": 0}
    client = Client()

    def block(city, measured):
        connections._connections.default = one if city == "one" else grown
        try:
            for _ in range(BLOCK):
                host = hosts[city][turn[city] % len(hosts[city])]
                turn[city] += 1
                started, cpu_started = time.perf_counter(), time.process_time()
                response = client.get("/", HTTP_HOST=host)
                connection.set_schema_to_public()
                assert response.status_code == 200, (city, host, response.status_code)
                if measured:
                    samples[city][0].append((time.perf_counter() - started) * 1000)
                    samples[city][1].append((time.process_time() - cpu_started) * 1000)
        finally:
            connections._connections.default = grown

    with override_settings(PAGECACHE_ENABLED=False):
        block("one", measured=False)  # its backend is new: warmed as the grown one was
        for _ in range(ALTERNATIONS):
            block("one", measured=True)
            block("all", measured=True)
    one.close()
    return {
        city: (harness.percentile(wall, 95), harness.percentile(cpu, 95))
        for city, (wall, cpu) in samples.items()
    }


def pages(report, at_one: dict, one_settings: dict | None = None):
    websites = list(
        Website.objects.sites().filter(schema_name__startswith="b").order_by("schema_name")
    )
    print(f"   page p95 over all {len(websites)} sites (load {load()})…", flush=True)
    at_all = page_p95(websites)
    # What the ratio is made of: the first site alone again, in this process that has now
    # served every site (its caches, its objects) and on the same database backend; then on a
    # new backend (the database's per-connection caches empty again).
    print(f"   the first site alone again, same process and backend (load {load()})…", flush=True)
    again = page_p95(websites[:1])
    connection.close()
    print(f"   … and on a new database backend (load {load()})…", flush=True)
    new_backend = page_p95(websites[:1])
    for (view, kind), (wall, cpu, wall_no_gc, full) in at_one.items():
        all_wall, all_cpu, all_no_gc, all_full = at_all[(view, kind)]
        name = f"scale_page_{view}_{kind}"
        report(f"{name}_p95_1site", wall, "ms")
        report(f"{name}_p95_{len(websites)}sites", all_wall, "ms")
        report(f"{name}_cpu_p95_1site", cpu, "ms")
        report(f"{name}_cpu_p95_{len(websites)}sites", all_cpu, "ms")
        report(f"{name}_p95_ratio_all_to_1", all_wall / wall, "x")
        report(f"{name}_cpu_p95_ratio_all_to_1", all_cpu / cpu, "x")
        print("   target: ≤ 1.10" if kind == "uncached" else "   target: unchanged", flush=True)
        report(f"{name}_p95_without_gc_ratio_all_to_1", all_no_gc / wall_no_gc, "x")
        report(f"{name}_full_collections_1site_vs_all", f"{full} vs {all_full}", "")
        report(f"{name}_p95_1site_after_all_same_backend", again[(view, kind)][0], "ms")
        report(f"{name}_p95_1site_after_all_new_backend", new_backend[(view, kind)][0], "ms")
    report("scale_page_requests_per_kind", max(PAGE_REQUESTS, len(websites)), "requests")
    if one_settings is not None and "home" in PAGE_VIEWS:
        print(f"   the two cities in alternating blocks (load {load()})…", flush=True)
        both = alternating_p95(websites, one_settings)
        name = "scale_page_home_uncached_alternating"
        report(f"{name}_p95_1site", both["one"][0], "ms")
        report(f"{name}_p95_{len(websites)}sites", both["all"][0], "ms")
        report(f"{name}_p95_ratio_all_to_1", both["all"][0] / both["one"][0], "x")
        report(f"{name}_cpu_p95_ratio_all_to_1", both["all"][1] / both["one"][1], "x")
        report(f"{name}_requests", ALTERNATIONS * BLOCK, "requests a city")
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
    if "pages" in PARTS:
        print(f"   page p95 on one site (load {load()})…", flush=True)
        at_one = page_p95(harness.ensure_sites(1)[:1])  # the city's first site, still alone
        one_settings = copy_city_of_one()
    schemas = provision_sites(report)
    catalog(report)
    if "migrations" in PARTS:
        migrations(report, schemas)
    if "memory" in PARTS:
        memory(report)
    if "pages" in PARTS:
        try:  # after memory(): it measures a worker's first touch of each site
            pages(report, at_one, one_settings)
        finally:
            drop_city_of_one(one_settings)
    if "connections" in PARTS:
        connections_at_scale(report)
