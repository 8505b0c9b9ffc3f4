"""P3: seconds to provision a new site (schema cloned from the template).

The median of the first 20 sites, and of the last 20 when the database already holds
BENCH_PROVISION_SITES (default 100) sites: a clone that read `information_schema` got slower
with every schema added; the figure pair shows whether provisioning still does.
"""

import os
import statistics
import time

from bench import harness
from tenants import services

WINDOW = 20


def run(report):
    total = max(int(os.environ.get("BENCH_PROVISION_SITES", "100")), WINDOW)
    existing = services.sites().filter(schema_name__startswith="b").count()
    samples = []
    for i in range(existing, existing + total):
        started = time.perf_counter()
        harness.provision(i)
        samples.append(time.perf_counter() - started)
        if len(samples) % 10 == 0:
            print(
                f"   {len(samples)}/{total} sites provisioned "
                f"(last 10: median {statistics.median(samples[-10:]):.2f} s)",
                flush=True,
            )
    first, last = samples[:WINDOW], samples[-WINDOW:]
    report("provision_site_median", statistics.median(first), "s")
    report("provision_site_p95", harness.percentile(first, 95), "s")
    report("provision_site_max", max(first), "s")
    report("provision_sites_total", existing + total, "sites")
    report(f"provision_site_median_last_{WINDOW}", statistics.median(last), "s")
    report(
        f"provision_site_ratio_last_first_{WINDOW}",
        statistics.median(last) / statistics.median(first),
        "x",
    )
