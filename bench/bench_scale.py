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

Load figures (`os.getloadavg`) are reported beside the timings: the machine is shared.
"""

import os
import statistics
import time

from django.core.management import call_command
from django.db import OperationalError, connection, transaction
from django.test import Client, override_settings

from bench import harness
from tenants import migrating, spares
from tenants.models import Website

SITES = int(os.environ.get("BENCH_SCALE_SITES", "100"))
CLONE_EVERY = int(os.environ.get("BENCH_SCALE_CLONE_EVERY", "10"))
PROCESSES = int(os.environ.get("BENCH_SCALE_PROCESSES", "2"))
COMPARE = os.environ.get("BENCH_SCALE_COMPARE", "1") == "1"
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


def run(report):
    spares.replenish()
    schemas = provision_sites(report)
    catalog(report)
    migrations(report, schemas)
    memory(report)
