"""Issue 19: one additive migration over every site schema, taken apart.

`BENCH_KEEP_DATABASE=1 BENCH_MIGRATE_SITES=150 make bench BENCH=migrate` grows the bench
database to BENCH_MIGRATE_SITES (default 120) sites first (from spares, refilled after each as
the periodic job does; not measured), then measures the migration `bench_scale` applies,
wagtailembeds.0009_embed_cache_until (an AddField), made unapplied in the schemas first:

- one schema taken apart: BENCH_MIGRATE_SAMPLES (5) schemas migrated one after another in this
  process, each query put under the step that ran it (read from the call stack: the history
  table check, the history read, pre_migrate, the DDL, its recording, post_migrate's content
  types, permissions and Wagtail's handlers), with its count, wall time and the PostgreSQL
  backend's CPU (/proc/<pid>/schedstat, in ns); commits and the Python between queries are the
  rest of the schema's figures;
- every schema: `migrate_sites` with BENCH_MIGRATE_PROCESSES (2) processes; per schema, wall
  time, the workers' Python CPU, their backends' CPU and queries (taken in the workers between
  django-tenants' schema_pre_migration and schema_migrated signals).

Before and after in one run: with BENCH_MIGRATE_BEFORE=<a checkout of the earlier code> the
same two measurements run first in a process on that code (this file loaded by path), on the
same database, then here. Load averages are reported beside the figures: the machine is shared.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from django.db import connection
from django_tenants.signals import schema_migrated, schema_pre_migration

from tenants import migrating

SITES = int(os.environ.get("BENCH_MIGRATE_SITES", "120"))
SAMPLES = int(os.environ.get("BENCH_MIGRATE_SAMPLES", "5"))
PROCESSES = int(os.environ.get("BENCH_MIGRATE_PROCESSES", "2"))
BEFORE = os.environ.get("BENCH_MIGRATE_BEFORE", "")
LEAF = ("wagtailembeds", "0009_embed_cache_until")

# The step a query belongs to: the first of these functions found on its call stack, in this
# order (the recording runs inside the DDL's apply_migration, content types inside permissions).
STEPS = [
    ("create_extra_permissions", "post_migrate: wagtail snippet permissions"),
    ("create_permissions", "post_migrate: permissions"),
    ("create_contenttypes", "post_migrate: content types"),
    ("rows_missing", "post_migrate: content types and permissions checked at once"),
    ("emit_post_migrate_signal", "post_migrate: other handlers"),
    ("emit_pre_migrate_signal", "pre_migrate"),
    ("record_migration", "recording"),
    ("apply_migration", "DDL"),
    ("has_table", "history table check (catalog)"),
    ("_has_table_by_name", "history table check (catalog)"),
    ("applied_migrations", "history read"),
]


def load() -> float:
    return round(os.getloadavg()[0], 1)


def backend_ns() -> int:
    """CPU nanoseconds of this connection's PostgreSQL backend (a server on this machine)."""
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    try:
        with open(f"/proc/{pid}/schedstat") as stat:
            return int(stat.read().split()[0])
    except OSError:
        return 0


def step_of_stack() -> str:
    names = set()
    frame = sys._getframe(2)
    while frame is not None:
        names.add(frame.f_code.co_name)
        frame = frame.f_back
    return next((label for name, label in STEPS if name in names), "other")


def unapply(schemas):
    with connection.cursor() as cursor:
        for schema in schemas:
            cursor.execute(
                f'DELETE FROM "{schema}".django_migrations WHERE app = %s AND name = %s',  # noqa: S608
                list(LEAF),
            )
            cursor.execute(
                f'ALTER TABLE "{schema}".wagtailembeds_embed DROP COLUMN IF EXISTS cache_until'
            )
    connection.close()


def grow(report):
    from bench import harness
    from bench.bench_scale import measured
    from tenants import spares
    from tenants.models import Website

    spares.replenish()
    index = Website.objects.sites().filter(schema_name__startswith="b").count()
    while index < SITES:
        measured(lambda i=index: harness.provision(i))
        index += 1
        measured(spares.replenish)
        if index % 10 == 0:
            print(f"   {index}/{SITES} sites (load {load()})", flush=True)


def catalog(report, prefix):
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_class")
        report(f"{prefix}catalog_pg_class_rows", cursor.fetchone()[0], "rows")


def take_apart(report, prefix, schemas):
    """Migrate each of `schemas` in this process, every query under its step."""
    unapply(schemas)
    steps = defaultdict(lambda: [0, 0.0, 0])  # step → [queries, wall s, backend ns]
    totals = []

    def classify(execute, sql, params, many, context):
        step = step_of_stack()
        ns, started = backend_ns(), time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            figures = steps[step]
            figures[0] += 1
            figures[1] += time.perf_counter() - started
            figures[2] += backend_ns() - ns

    for schema in schemas:
        ns, cpu, wall = backend_ns(), time.process_time(), time.perf_counter()
        with connection.execute_wrapper(classify):
            _, error, _ = migrating.migrate_schema(schema)
        assert error is None, (schema, error)
        totals.append(
            (time.perf_counter() - wall, time.process_time() - cpu, (backend_ns() - ns) / 1e9)
        )
    n = len(schemas)
    print(f"   one schema taken apart (mean of {n}, load {load()}):", flush=True)
    print("     step: queries / wall ms / backend CPU ms", flush=True)
    for step, (queries, wall, ns) in sorted(steps.items(), key=lambda kv: -kv[1][1]):
        print(
            f"     {step}: {queries / n:.0f} / {wall / n * 1000:.1f} / {ns / n / 1e6:.1f}",
            flush=True,
        )
        slug = step.split(" (")[0].replace("post_migrate: ", "post_migrate_").replace(" ", "_")
        report(f"{prefix}apart_{slug}_queries", queries / n, "queries")
        report(f"{prefix}apart_{slug}_backend_cpu", ns / n / 1e6, "ms")
    report(f"{prefix}apart_queries", sum(s[0] for s in steps.values()) / n, "queries")
    for k, what in enumerate(("wall", "python_cpu", "backend_cpu")):
        report(f"{prefix}apart_{what}_per_schema", statistics.mean(t[k] for t in totals), "s")


class SchemaMeter:
    """Per schema, in a migrating process: wall, Python CPU, backend CPU, queries, from
    django-tenants' schema_pre_migration to schema_migrated; one JSON line each to `path`."""

    def __init__(self, path):
        self.path, self.started = path, {}

    def count(self, execute, sql, params, many, context):
        self.queries += 1
        return execute(sql, params, many, context)

    def pre(self, sender, schema_name, **kwargs):
        self.queries = 0
        if self.count not in connection.execute_wrappers:
            connection.execute_wrappers.append(self.count)
        self.started[schema_name] = (time.perf_counter(), time.process_time(), backend_ns())

    def post(self, sender, schema_name, **kwargs):
        wall, cpu, ns = self.started.pop(schema_name)
        row = {
            "schema": schema_name,
            "wall": time.perf_counter() - wall,
            "python_cpu": time.process_time() - cpu,
            "backend_cpu": (backend_ns() - ns) / 1e9,
            "queries": self.queries,
        }
        with open(self.path, "a") as out:
            out.write(json.dumps(row) + "\n")


def every_schema(report, prefix, schemas):
    unapply(schemas)
    with tempfile.NamedTemporaryFile(suffix=".jsonl") as log:
        meter = SchemaMeter(log.name)
        schema_pre_migration.connect(meter.pre, weak=False)
        schema_migrated.connect(meter.post, weak=False)
        try:
            load_before, started = load(), time.perf_counter()
            run = migrating.migrate_sites(schemas, processes=PROCESSES, progress=lambda _: None)
            elapsed = time.perf_counter() - started
        finally:
            schema_pre_migration.disconnect(meter.pre)
            schema_migrated.disconnect(meter.post)
        rows = [json.loads(line) for line in Path(log.name).read_text().splitlines()]
    assert run.ok and len(run.migrated) == len(schemas), run.failed
    n = len(schemas)
    report(f"{prefix}every_schema_count", n, "schemas")
    report(f"{prefix}every_schema_total", elapsed, "s")
    report(f"{prefix}every_schema_wall_per_schema", elapsed / n, "s")
    for what in ("python_cpu", "backend_cpu", "queries"):
        report(
            f"{prefix}every_schema_{what}_mean",
            statistics.mean(r[what] for r in rows),
            "queries" if what == "queries" else "s",
        )
    # What grows as a migrating backend goes from schema to schema: first and last tenth.
    tenth = max(1, len(rows) // 10)
    for label, part in (("first_tenth", rows[:tenth]), ("last_tenth", rows[-tenth:])):
        report(
            f"{prefix}every_schema_backend_cpu_{label}",
            statistics.mean(r["backend_cpu"] for r in part),
            "s",
        )
    report(f"{prefix}every_schema_load", f"{load_before} → {load()}", "load")


def measure(report, prefix=""):
    schemas = migrating.tenant_schemas()
    catalog(report, prefix)
    take_apart(report, prefix, schemas[-SAMPLES:])
    every_schema(report, prefix, schemas)


def before(report):
    """The same measurements on the earlier code in BEFORE, in a process of its own."""
    code = f"""
import django, importlib.util, json
django.setup()
spec = importlib.util.spec_from_file_location("measuring", {str(Path(__file__))!r})
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
def report(name, value, unit):
    print("FIGURE " + json.dumps([name, value, unit]), flush=True)
module.measure(report, "before_")
"""
    env = {**os.environ, "PYTHONPATH": BEFORE}
    process = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BEFORE,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    for line in process.stdout.splitlines():
        if line.startswith("FIGURE "):
            report(*json.loads(line.removeprefix("FIGURE ")))
        else:
            print(line, flush=True)


def run(report):
    grow(report)
    if BEFORE:
        before(report)
    measure(report, "after_" if BEFORE else "")
