"""Issue 19: where a new site's queries and time go, at the database's current size.

`BENCH_KEEP_DATABASE=1 BENCH_PQ_SITES=150 make bench BENCH=provisioning_queries` adds
BENCH_PQ_SITES (default 10) sites first, unmeasured (from spares, refilled after each, as the
periodic job does), then provisions BENCH_PQ_SAMPLES (5) from a spare and as many cloned (the
pool set aside), and reports each path's medians: SQL queries, wall time, Python CPU and the
PostgreSQL backend's CPU (bench_scale.measured), with the query shapes that ran most. Run it
at two sizes on the same database to see what grows with the sites.
"""

import os
import re
import statistics
from collections import Counter

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench import harness
from bench.bench_scale import load, measured
from tenants import spares
from tenants.models import Website

SITES = int(os.environ.get("BENCH_PQ_SITES", "10"))
SAMPLES = int(os.environ.get("BENCH_PQ_SAMPLES", "5"))


def shape(sql: str) -> str:
    return re.sub(r"'[^']*'|\b\d+\b", "?", sql)[:120]


def counted(index: int, queries: list) -> None:
    with CaptureQueriesContext(connection) as context:
        harness.provision(index)
    queries.extend(context.captured_queries)


def run(report):
    spares.replenish()
    index = Website.objects.sites().filter(schema_name__startswith="b").count()
    for _ in range(SITES):
        measured(lambda i=index: harness.provision(i))
        index += 1
        measured(spares.replenish)
    report("provisioning_queries_sites_before", index, "sites")
    for path in ("spare", "cloned"):
        rows, shapes = [], Counter()
        for _ in range(SAMPLES):
            measured(spares.replenish)
            held = spares.spare_schemas() if path == "cloned" else []
            with connection.cursor() as cursor:  # set the pool aside: this one clones
                for spare in held:
                    cursor.execute(f'ALTER SCHEMA "{spare}" RENAME TO "held_{spare}"')
            queries = []
            figures = measured(lambda i=index, queries=queries: counted(i, queries))
            index += 1
            with connection.cursor() as cursor:
                for spare in held:
                    cursor.execute(f'ALTER SCHEMA "held_{spare}" RENAME TO "{spare}"')
            rows.append((len(queries), *figures))
            shapes.update(shape(q["sql"]) for q in queries)
        for k, (what, unit) in enumerate(
            [("queries", "queries"), ("wall", "s"), ("python_cpu", "s"), ("db_cpu", "s")]
        ):
            report(
                f"provisioning_{path}_{what}_median", statistics.median(r[k] for r in rows), unit
            )
        print(f"   {path}: most frequent query shapes ({SAMPLES} sites):", flush=True)
        for sql, count in shapes.most_common(8):
            print(f"     {count / SAMPLES:6.1f} a site  {sql}", flush=True)
    report("provisioning_queries_sites_after", index, "sites")
    report("provisioning_queries_load", load(), "load")
