"""Monitoring (issue 16): scorecards for many sites, a probe round with hung hosts, link checks.

Sizes: BENCH_MONITORING_SITES (200) provisioned sites (fresh: home, columns, catalogue), made
by BENCH_MONITORING_PROVISIONERS (2) processes at once: provisioning one site is mostly waiting
on PostgreSQL (the clone, ~100 inserts), ~8 s a site on a loaded 2-core machine, so 200 made one
after another did not fit the run's time (147 last time). More processes run the shared server
out of lock slots (each clone locks every table it makes); a site that hits it is made again.
With BENCH_KEEP_DATABASE=1 a run interrupted while provisioning resumes where it stopped.
- scorecards: every site's card computed in one process, timed for the first quarter of the
  sites and for all of them (ms per site at both sizes shows how it grows); target < 60 s for 200.
- probe round: every site's home page and entry points through gunicorn (the `make serve`
  server, its own periodic runner off), behind a small front that never answers for
  BENCH_MONITORING_HUNG (10) sites — as a dead upstream would — with the national 15 s timeout;
  target < 60 s for 200 sites with the hung ones present.
- link checks: BENCH_MONITORING_LINK_SITES (10) sites' pages and their links, links per second.
"""

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.db import OperationalError

from bench import harness
from federation.monitoring import indicators, linkcheck, probes, scorecards
from federation.monitoring.models import ProbeResult
from tenants import services

ROOT = Path(__file__).resolve().parent.parent


# BENCH_MONITORING_PORTS="8130,8131": the gunicorn's and the front's ports on a shared machine
# where each user keeps to a range; unset, any free ports.
_PORTS = [int(p) for p in os.environ.get("BENCH_MONITORING_PORTS", "").split(",") if p.strip()]


def free_port():
    if _PORTS:
        return _PORTS.pop(0)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    def __init__(self):
        self.port = free_port()
        log = ROOT / "var" / "bench" / "monitoring-gunicorn.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        self.log = log.open("ab")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.bench",
            "BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": os.environ.get("BENCH_MONITORING_WORKERS", "3"),
            "GUNICORN_THREADS": "8",
            # a broker named: the server's own periodic runner (probes, checks…) stays off
            "CELERY_BROKER_URL": "memory://",
        }
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=self.log,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/favicon.ico", timeout=2)  # noqa: S310
                return
            except urllib.error.HTTPError:
                return  # an answer (the console host has no favicon): the server is up
            except OSError:
                if self.process.poll() is not None:
                    raise SystemExit(f"gunicorn exited; see {log}") from None
                time.sleep(0.5)
        self.stop()
        raise SystemExit(f"gunicorn did not answer; see {log}")

    def stop(self):
        self.process.terminate()
        self.process.wait(30)
        self.log.close()


class Front:
    """A front server in a thread: forwards to gunicorn, except for hung hosts (never answers)."""

    def __init__(self, upstream_port, hung_hosts):
        self.upstream = upstream_port
        self.hung = hung_hosts
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()
        self.ready.wait()

    def _run(self):
        asyncio.set_event_loop(self.loop)

        async def handle(reader, writer):
            try:
                head = await reader.readuntil(b"\r\n\r\n")
                host = ""
                for line in head.decode("latin-1").split("\r\n"):
                    if line.lower().startswith("host:"):
                        host = line.split(":", 1)[1].strip().split(":")[0]
                if host in self.hung:
                    with contextlib.suppress(asyncio.CancelledError):  # closed at the end
                        await asyncio.sleep(3600)
                    return
                up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream)
                up_writer.write(head)
                await up_writer.drain()
                while chunk := await up_reader.read(65536):
                    writer.write(chunk)
                    await writer.drain()
                up_writer.close()
            except Exception:  # noqa: S110 (a client gone away: nothing to forward)
                pass
            finally:
                writer.close()

        server = self.loop.run_until_complete(
            asyncio.start_server(handle, "127.0.0.1", self.port, backlog=1024)
        )
        self.server = server
        self.ready.set()
        self.loop.run_forever()

    def close(self):
        """Cancel what still hangs, then stop the loop (no task left to be destroyed)."""

        async def shutdown():
            self.server.close()
            pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in pending:
                task.cancel()
            # let them finish cancelling, or the loop reports each as "destroyed but pending"
            await asyncio.gather(*pending, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(10)
        time.sleep(0.2)
        self.loop.call_soon_threadsafe(self.loop.stop)


PREFIX = "m"


def _bench_sites():
    return services.sites().filter(schema_name__startswith=PREFIX)


def provision_slice(indices) -> None:
    """In a provisioner process: make the bench sites numbered `indices` (missing ones only)."""
    existing = set(_bench_sites().values_list("schema_name", flat=True))
    for i in indices:
        if f"{PREFIX}{i:04d}" in existing:
            continue
        for attempt in range(3):
            try:
                harness.provision(i, prefix=PREFIX)
                break
            except OperationalError as error:
                # Concurrent clones share the server's lock table (max_locks_per_transaction,
                # "out of shared memory"); provisioning is all or nothing, so try again.
                if attempt == 2:
                    raise
                print(f"   site {i}: {str(error).splitlines()[0]}; again", flush=True)
                time.sleep(2 + 3 * attempt)


def ensure_sites(count: int) -> list:
    """`count` bench sites, the missing ones provisioned by several processes at once."""
    services.ensure_template()  # once, before the provisioners race to make it
    workers = max(1, int(os.environ.get("BENCH_MONITORING_PROVISIONERS", "2")))
    missing = count - _bench_sites().count()
    if missing > 0:
        print(f"   provisioning {missing} sites with {workers} processes…", flush=True)
        started = time.perf_counter()
        code = (
            "import sys, django; django.setup(); from bench import bench_monitoring; "
            "bench_monitoring.provision_slice(int(n) for n in sys.argv[1:])"
        )
        processes = [
            subprocess.Popen(  # noqa: S603
                [sys.executable, "-c", code, *map(str, range(k, count, workers))], cwd=ROOT
            )
            for k in range(workers)
        ]
        failed = [p.args for p in processes if p.wait() != 0]
        if failed:
            raise SystemExit(f"a provisioner failed ({len(failed)} of {workers}); see above")
        print(f"   provisioned in {time.perf_counter() - started:.0f} s", flush=True)
    return harness.ensure_sites(count, prefix=PREFIX)  # the list, in order (none missing now)


def run(report):
    count = int(os.environ.get("BENCH_MONITORING_SITES", "200"))
    hung_count = int(os.environ.get("BENCH_MONITORING_HUNG", "10"))
    link_sites = int(os.environ.get("BENCH_MONITORING_LINK_SITES", "10"))
    sites = ensure_sites(count)
    report("monitoring_sites", len(sites), "sites")

    # Scorecards: a quarter of the sites, then all of them.
    values = indicators.current_values()
    quarter = sites[: max(1, len(sites) // 4)]
    started = time.perf_counter()
    for website in quarter:
        scorecards.compute_scorecard(website, None, values)
    small = time.perf_counter() - started
    started = time.perf_counter()
    for website in sites:
        scorecards.compute_scorecard(website, None, values)
    full = time.perf_counter() - started
    report(f"scorecards_{len(quarter)}_sites", small, "s")
    report(f"scorecards_{len(sites)}_sites", full, "s")
    report(f"scorecard_ms_per_site_at_{len(quarter)}", small * 1000 / len(quarter), "ms")
    report(f"scorecard_ms_per_site_at_{len(sites)}", full * 1000 / len(sites), "ms")

    server = Gunicorn()
    hung = {w.primary_domain for w in sites[:hung_count]}
    try:
        front = Front(server.port, hung)
    except BaseException:
        server.stop()
        raise
    settings.MONITORING_BASE_URL = f"http://127.0.0.1:{front.port}"
    try:
        for website in sites[:3]:  # warm the workers (imports, the domain cache)
            urllib.request.urlopen(  # noqa: S310
                urllib.request.Request(
                    f"http://127.0.0.1:{server.port}/", headers={"Host": website.primary_domain}
                ),
                timeout=30,
            )
        started = time.perf_counter()
        rows = probes.probe_round(sites)
        elapsed = time.perf_counter() - started
        failed = [r for r in rows if not r.ok and not r.absent]
        for row in failed:
            print(
                f"   failed: site {row.website_id} {row.path} {row.status} {row.error}", flush=True
            )
        report(f"probe_round_{len(sites)}_sites_{len(hung)}_hung", elapsed, "s")
        report("probe_requests", len(rows), "requests")
        report("probe_failures", len(failed), "requests")
        slow = sorted(r.elapsed_ms for r in rows if r.ok)
        if slow:
            report("probe_ok_p95", harness.percentile(slow, 95), "ms")
        ProbeResult.objects.all().delete()

        settings.MONITORING_BASE_URL = f"http://127.0.0.1:{server.port}"
        pages = links = 0
        started = time.perf_counter()
        for website in sites[hung_count : hung_count + link_sites]:
            result = linkcheck.check_site(website)
            pages += result.pages
            links += result.links
        elapsed = time.perf_counter() - started
        report(f"linkcheck_{link_sites}_sites_seconds", elapsed, "s")
        report("linkcheck_pages", pages, "pages")
        report("linkcheck_pages_per_second", pages / elapsed, "pages/s")
        report("linkcheck_links_per_second", links / elapsed, "links/s")
    finally:
        front.close()
        server.stop()
