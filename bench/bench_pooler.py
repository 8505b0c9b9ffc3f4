"""Issue 19 item 3: django-tenants through PgBouncer in transaction pooling mode.

BENCH_POOLER_SITES sites (default 8) served by BENCH_POOLER_CLIENTS threads (default 16), each
thread moving from site to site as a gunicorn thread does, each round a page's worth of
small queries. Once straight to PostgreSQL with django-tenants' backend, once through a
PgBouncer with BENCH_POOLER_POOL server connections (default 4) with config.pgbouncer_backend:
queries per second, the PostgreSQL backends the clients used, reads of another site's rows
(must be 0). And the catalog cache one backend builds per site it has served (the memory that
grows with the number of sites, deploy/README.md "Connections at 1,000 sites").
"""

import contextlib
import os
import threading
import time

from django.db import connection, connections
from wagtail.models import Page, Site

from bench import harness
from tenants import services

SECONDS = float(os.environ.get("BENCH_POOLER_SECONDS", "10"))


@contextlib.contextmanager
def alias(name, settings_dict):
    connections.settings[name] = settings_dict
    try:
        yield name
    finally:
        del connections.settings[name]


def drive(name, websites, clients):
    """Clients serving the sites in turn for SECONDS: (queries, backends seen, wrong reads)."""
    done, backends, wrong = [0], set(), [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + SECONDS

    def client(number):
        own = connections[name]
        queries, seen, bad, turn = 0, set(), 0, number
        try:
            while time.monotonic() < stop_at:
                website = websites[turn % len(websites)]
                turn += 1
                own.set_tenant(website)
                hostnames = list(Site.objects.using(name).values_list("hostname", flat=True))
                if hostnames != [f"{website.schema_name}.localhost"]:  # harness.provision
                    bad += 1
                Page.objects.using(name).filter(depth=2).values_list("title").first()
                Page.objects.using(name).live().count()
                with own.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    seen.add(cursor.fetchone()[0])
                queries += 4
        finally:
            own.close()
            with lock:
                done[0] += queries
                backends.update(seen)
                wrong[0] += bad

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done[0] / (time.perf_counter() - started), len(backends), wrong[0]


def catalog_cache_per_site(websites) -> float:
    """KB of catalog cache one backend adds per site whose every table it has read."""
    connection.close()  # a new backend: provisioning has already read these sites' tables
    with connection.cursor() as cursor:
        before = harness.catalog_cache_bytes(cursor)
        for website in websites:
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s", [website.schema_name]
            )
            for (table,) in cursor.fetchall():
                cursor.execute(f'SELECT * FROM "{website.schema_name}"."{table}" LIMIT 0')
        return (harness.catalog_cache_bytes(cursor) - before) / len(websites) / 1024


def run(report):
    from tests.deployment import pgbouncer, through  # the same PgBouncer the tests start

    count = int(os.environ.get("BENCH_POOLER_SITES", "8"))
    clients = int(os.environ.get("BENCH_POOLER_CLIENTS", "16"))
    pool = int(os.environ.get("BENCH_POOLER_POOL", "4"))
    harness.ensure_sites(count, prefix="p")
    websites = list(services.sites().filter(schema_name__startswith="p")[:count])
    print(f"   load average before: {os.getloadavg()[0]:.1f}", flush=True)

    base = connection.settings_dict
    with alias("direct", {**base, "CONN_MAX_AGE": 0}):
        rate, used, wrong = drive("direct", websites, clients)
    report("pooler_direct_queries_per_s", rate, "queries/s")
    report("pooler_direct_backends", used, "PostgreSQL backends")
    try:
        with (
            pgbouncer(base, pool_size=pool) as port,
            alias("pooled", through(base, port, ENGINE="config.pgbouncer_backend")),
        ):
            pooled_rate, pooled_used, pooled_wrong = drive("pooled", websites, clients)
    except BaseException as exc:  # pytest's skip when PgBouncer is not installed
        if type(exc).__name__ != "Skipped":
            raise
        print(f"   skipped the pooled run: {exc}", flush=True)
        return
    report("pooler_pgbouncer_queries_per_s", pooled_rate, "queries/s")
    report("pooler_pgbouncer_backends", pooled_used, "PostgreSQL backends")
    report("pooler_pgbouncer_to_direct_ratio", pooled_rate / rate, "×")
    report("pooler_wrong_site_reads", wrong + pooled_wrong, "reads")
    report("pooler_clients", clients, "threads")
    report("catalog_cache_per_site", catalog_cache_per_site(websites), "KB")
    print(f"   load average after: {os.getloadavg()[0]:.1f}", flush=True)
