"""Security costs: appending an audit event, verifying a chain, checking a lockout,
and the admin request overhead of the security middleware."""

import time

from django.test import Client
from django_tenants.utils import schema_context

from bench.harness import ensure_sites, summary, timed
from security import lockout
from security.audit import services as audit

EVENTS = 5000


def run(report):
    site = ensure_sites(1, prefix="sec")[0]

    samples = timed(
        lambda: audit.record(
            "page.publish",
            schema_name=site.schema_name,
            actor="bench",
            object_repr="基准文章",
            changes={"n": 1},
        ),
        EVENTS,
    )
    stats = summary(samples)
    report("audit_record_p50", stats["p50"], "ms")
    report("audit_record_p95", stats["p95"], "ms")

    started = time.perf_counter()
    result = audit.verify_chain(site.schema_name)
    elapsed = time.perf_counter() - started
    assert result.ok
    report("audit_verify_rate", result.count / elapsed, "records/s")

    with schema_context(site.schema_name):
        for i in range(200):
            lockout.register_failure(f"user{i % 40}", f"10.0.{i % 7}.1")
        stats = summary(timed(lambda: lockout.current_lock("user3", "10.0.3.1"), 500))
    report("lockout_check_p50", stats["p50"], "ms")

    client = Client(HTTP_HOST=site.primary_domain)
    client.get("/")
    stats = summary(timed(lambda: client.get("/"), 200))
    report("public_home_with_security_middleware_p50", stats["p50"], "ms")
