"""Shared helpers for benchmarks: a fresh bench database, sites, timing."""

import os
import statistics
import time

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_context

from tenants import services


def ensure_database(name: str | None = None) -> None:
    """Create a bench database on the DATABASE_URL server if it is missing (the embedded
    server creates its own). Connects to the server's maintenance database to do so."""
    name = name or settings.DATABASES["default"]["NAME"]
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            print(f"   creating database {name}", flush=True)
            cursor.execute(f'CREATE DATABASE "{name}"')


def reset_database():
    """Drop every schema of the bench database and migrate from scratch."""
    ensure_database()
    print("   preparing the bench database (migrations + site template, ~15 s)…", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg_%' "
            "AND nspname <> 'information_schema'"
        )
        for (schema,) in cursor.fetchall():
            cursor.execute(f'DROP SCHEMA "{schema}" CASCADE')
        cursor.execute("CREATE SCHEMA public")
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    services.ensure_platform()
    services.ensure_template()


def provision(index: int, kind: str = "district", prefix: str = "b"):
    schema = f"{prefix}{index:04d}"
    return services.provision_site(
        kind=kind,
        legal_name=f"基准测试{index}号区人民政府",
        short_name=f"基准{index}",
        domain=f"{schema}.localhost",
        schema_name=schema,
        webmaster_password="Bench-Password-2026",
    ).website


def ensure_sites(count: int, prefix: str = "b"):
    existing = set(
        services.sites()
        .filter(schema_name__startswith=prefix)
        .values_list("schema_name", flat=True)
    )
    for i in range(count):
        if f"{prefix}{i:04d}" not in existing:
            provision(i, prefix=prefix)
            if (i + 1) % 10 == 0:
                print(f"   {i + 1}/{count} sites", flush=True)
    return list(services.sites().filter(schema_name__startswith=prefix).order_by("schema_name"))


def percentile(samples, pct):
    ordered = sorted(samples)
    k = (len(ordered) - 1) * pct / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def timed(fn, repeat):
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def summary(samples):
    return {"p50": statistics.median(samples), "p95": percentile(samples, 95)}


__all__ = ["ensure_sites", "percentile", "provision", "schema_context", "summary", "timed"]


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


def catalog_cache_bytes(cursor) -> float:
    """What the cursor's PostgreSQL backend holds in its relation and catalog caches: it grows
    with every site whose tables that backend has read."""
    cursor.execute(
        "SELECT sum(total_bytes) FROM pg_backend_memory_contexts "
        "WHERE name = 'CacheMemoryContext' OR parent = 'CacheMemoryContext'"
    )
    return float(cursor.fetchone()[0])
