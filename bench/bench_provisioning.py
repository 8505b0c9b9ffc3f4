"""P3: seconds to provision a new site (schema cloned from the template), over 20 sites."""

import statistics
import time

from bench import harness
from tenants import services

COUNT = 20


def run(report):
    existing = services.sites().filter(schema_name__startswith="b").count()
    samples = []
    for i in range(existing, existing + COUNT):
        started = time.perf_counter()
        harness.provision(i)
        samples.append(time.perf_counter() - started)
        if (len(samples)) % 5 == 0:
            print(f"   {len(samples)}/{COUNT} sites provisioned", flush=True)
    report("provision_site_median", statistics.median(samples), "s")
    report("provision_site_p95", harness.percentile(samples, 95), "s")
    report("provision_site_max", max(samples), "s")
