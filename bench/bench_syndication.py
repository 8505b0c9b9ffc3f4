"""Syndication: publish-to-visible-on-portal latency, library sync throughput, broadcast reach.

With Redis at 127.0.0.1:6379, a real Celery worker (prefork, 2 processes, Redis database 11)
runs the library's and syndication's tasks, as in production; otherwise everything runs
in-process after commit (figure `syndication_real_worker` says which).

- latency: a district editor publishes an article in 工作动态, which the portal's column
  co-construction subscription takes automatically; the clock runs from the publication's
  commit until the copy is live in the portal's schema (the editor's own publish time is
  reported apart). Sequential, 200 publications over 5 district sites.
- throughput: 10 sites resync 20 items each (200 outbox events at once); items/s until every
  event is processed, every consumer step done (projection, search index, syndication rules)
  and every copy on the portal shows its item's version (the delivery tasks included). Sized
  by BENCH_SYNC_SITES and BENCH_SYNC_ITEMS (items per site); pages beyond what the latency run
  published are written in bulk and brought into the library by a first, unmeasured resync.
  A warm-up resync (unmeasured) runs first, so the worker's processes have loaded what they
  load once; then BENCH_SYNC_ROUNDS (3) measured rounds, each started only once the last one
  has settled completely. Each round reports wall time and CPU time: the worker's (its main
  process and pool children), the database backends' serving it, and this process's.
- import (BENCH_SYNDICATION_CASES=throughput,import; not run by default): the same pages with
  new content (`library_import_throughput`): every page's body is rewritten in bulk, each with
  other sentences, before the clock starts, so nothing can be skipped.
  BENCH_SYNC_COLUMN=tzgg files the pages under 通知公告, which the portal's subscription does
  not take: the library, its search index and the syndication rules still see every item, but
  no copy is made, so the library's own rate is measured without the copies' Wagtail
  publishes beside it on the same cores (gzdt by default: a copy of every item).
- broadcast: a real HTTP server (gunicorn, 2 workers, other processes than the one posting)
  serves 50 sites; one visitor per site (8 at a time) reloads its home page; the clock runs
  from posting until the banner is on every site's home page.
"""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.db import connection
from django.utils import timezone

from bench import harness

ROOT = Path(__file__).resolve().parent.parent
REDIS = ("127.0.0.1", 6379)
# BENCH_REDIS_DB: a Redis database of this run's own (the worker's queue is flushed first).
REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "11"))
PUBLICATIONS = 200
SITES = 50
SYNC_SITES = int(os.environ.get("BENCH_SYNC_SITES", "10"))
SYNC_ITEMS = int(os.environ.get("BENCH_SYNC_ITEMS", "20"))
SYNC_COLUMN = os.environ.get("BENCH_SYNC_COLUMN", "gzdt")
# BENCH_SYNDICATION_CASES=throughput runs one case alone (comma-separated; all by default).
# BENCH_WORKER_CONCURRENCY: the worker's processes (2, as `make run`; 1 for one process alone).
WORKER_CONCURRENCY = int(os.environ.get("BENCH_WORKER_CONCURRENCY", "2"))
CASES = os.environ.get("BENCH_SYNDICATION_CASES", "latency,throughput,broadcast").split(",")
# Measured resyncs after the warm-up one; each reports its own figures, then the median.
SYNC_ROUNDS = int(os.environ.get("BENCH_SYNC_ROUNDS", "3"))


def _redis_up() -> bool:
    with contextlib.suppress(OSError), socket.create_connection(REDIS, timeout=1):
        return True
    return False


@contextlib.contextmanager
def _worker():
    """A celery worker on the bench database; this process sends tasks to it."""
    import redis

    from config.celery import app

    broker = f"redis://{REDIS[0]}:{REDIS[1]}/{REDIS_DB}"
    redis.Redis(host=REDIS[0], port=REDIS[1], db=REDIS_DB).flushdb()  # our own database only
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.bench",
        "CELERY_BROKER_URL": broker,
    }
    log_path = ROOT / "var" / "bench" / "worker-syndication.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as log:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=prefork",
                f"--concurrency={WORKER_CONCURRENCY}",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
        try:
            _wait_for_worker(app, broker, worker, log_path)
            app.conf.update(broker_url=broker, task_always_eager=False)
            app._pool = None
            app.amqp._producer_pool = None
            yield worker.pid
        finally:
            app.conf.update(saved)
            app._pool = None
            app.amqp._producer_pool = None
            worker.terminate()
            try:
                worker.wait(15)
            except subprocess.TimeoutExpired:
                worker.kill()


def _wait_for_worker(app, broker, worker, log_path, timeout=60):
    from celery import Celery

    probe = Celery(broker=broker)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError(f"worker exited:\n{log_path.read_text()[-2000:]}")
        with contextlib.suppress(Exception):
            if probe.control.ping(timeout=0.5):
                return
        time.sleep(0.5)
    raise RuntimeError("worker not ready")


def _poll(check, timeout=60, interval=0.01):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        connection.set_schema_to_public()
        if check():
            return True
        time.sleep(interval)
    raise RuntimeError("timed out")


def _publish(website, title, column="gzdt"):
    import datetime

    from sites.core.models import ArticlePage, ColumnPage

    with harness.schema_context(website.schema_name):
        page = ArticlePage(
            title=title,
            date=datetime.date.today(),
            summary="基准测试摘要",
            body=[("paragraph", "<p>" + "各街道办事处、区直各部门：" * 30 + "</p>")],
        )
        ColumnPage.objects.get(slug=column).add_child(instance=page)
        page.save_revision().publish()
        return f"{website.schema_name}:{page.translation_key}"


def _copy_live(portal, key) -> bool:
    from sites.syndicated.models import SyndicatedPage

    with harness.schema_context(portal.schema_name):
        return SyndicatedPage.objects.filter(syndication_key=key, live=True).exists()


def _latency(report, portal, districts):
    samples, publishing = [], []
    for i in range(PUBLICATIONS):
        site = districts[i % len(districts)]
        started = time.perf_counter()
        key = _publish(site, f"基准工作动态{i:04d}")
        # The clock starts when the editor's publication has committed (the request is done).
        committed = time.perf_counter()
        _poll(lambda key=key: _copy_live(portal, key))
        samples.append((time.perf_counter() - committed) * 1000)
        publishing.append((committed - started) * 1000)
    stats = harness.summary(samples)
    report("syndication_publish_to_portal_p50", stats["p50"], "ms")
    report("syndication_publish_to_portal_p95", stats["p95"], "ms")
    report("syndication_editor_publish_p50", harness.summary(publishing)["p50"], "ms")


def _write_pages(website, count, column="gzdt"):
    """Live articles written in bulk, without the publish flow (no outbox rows): the library
    hears of them by the resync that follows."""
    import datetime

    from sites.core.models import ArticlePage, ColumnPage

    now = timezone.now()
    with harness.schema_context(website.schema_name):
        parent = ColumnPage.objects.get(slug=column)
        for j in range(count):
            if j and j % 500 == 0:
                print(f"   … {j} of {count} pages written on {website.schema_name}", flush=True)
            parent.add_child(
                instance=ArticlePage(
                    title=f"基准同步{j:04d}",
                    date=datetime.date.today(),
                    summary="基准测试摘要",
                    body=[("paragraph", "<p>" + "各街道办事处、区直各部门：" * 30 + "</p>")],
                    live=True,
                    first_published_at=now,
                    last_published_at=now,
                )
            )
            parent.refresh_from_db(fields=["numchild"])


def _settled(since_version):
    """Every outbox row after `since_version` processed and every consumer step done."""
    from federation.library.models import ConsumerStep, OutboxEvent

    return (
        not OutboxEvent.objects.filter(
            version__gt=since_version, processed_at__isnull=True
        ).exists()
        and not ConsumerStep.objects.filter(done_at__isnull=True).exists()
    )


def _copies_current():
    """Every copy delivered and showing its item's current version: no delivery task is
    still to run. (Delivered rows behind their item are what an unchanged resync used to leave
    for a task per copy: counting only pending rows let those tasks run into the next round.)"""
    from django.db.models import F, Q

    from federation.syndication.models import Delivery

    return not Delivery.objects.filter(
        Q(status=Delivery.Status.PENDING)
        | Q(
            status=Delivery.Status.DELIVERED,
            delivered_version__lt=F("item__version"),
            item__withdrawn=False,
        )
    ).exists()


def _last_version():
    from federation.library.models import OutboxEvent

    return OutboxEvent.objects.order_by("-version").values_list("version", flat=True).first() or 0


_last_sweep = [0.0]


def _copies_current_or_swept():
    """`_copies_current`, with the delivery sweep run every 30 s meanwhile, as beat runs it:
    a delivery that failed is sent again after its grace, and its wait is in the figure."""
    from federation.syndication import deliveries

    if _copies_current():
        return True
    if time.monotonic() - _last_sweep[0] >= 30:
        _last_sweep[0] = time.monotonic()
        deliveries.sweep_deliveries()
    return False


def _resend_stale_deliveries():
    """Copies an earlier run left behind (its worker stopped with delivery tasks queued, and
    the queue is flushed at start), sent again by the delivery sweep, as beat would."""
    from datetime import timedelta

    from federation.syndication import deliveries

    while not _copies_current():
        print("   copies left behind by an earlier run: the delivery sweep sends them…", flush=True)
        deliveries.sweep_deliveries(older_than=timedelta(0), limit=5000)
        _poll(_copies_current, timeout=1800, interval=1)


class CpuMeter:
    """CPU seconds spent since `start()`, read from /proc: the worker's (main process and pool
    children), the database backends' of the bench database (this process's own apart), and
    this process's. On a shared machine wall time follows the other work on the cores; CPU
    time much less. A backend that exits in between loses its share (the worker keeps its
    connections: CONN_MAX_AGE)."""

    def __init__(self, worker_pid):
        self.worker_pid = worker_pid

    @staticmethod
    def _cpu(process) -> float:
        import psutil

        with contextlib.suppress(psutil.Error):
            times = process.cpu_times()
            return times.user + times.system
        return 0.0

    def _worker(self) -> float:
        import psutil

        if self.worker_pid is None:
            return 0.0
        main = psutil.Process(self.worker_pid)
        return sum(self._cpu(p) for p in [main, *main.children(recursive=True)])

    def _backends(self) -> dict[int, float]:
        import psutil

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
            pids = [row[0] for row in cursor.fetchall()]
            cursor.execute("SELECT pg_backend_pid()")
            self.own_backend = cursor.fetchone()[0]
        return {pid: self._cpu(psutil.Process(pid)) for pid in pids if psutil.pid_exists(pid)}

    def _own_backend(self) -> float:
        import psutil

        return self._cpu(psutil.Process(self.own_backend))

    def start(self):
        self.worker0 = self._worker()
        self.backends0 = self._backends()
        self.own_backend0 = self._own_backend()
        self.bench0 = time.process_time()
        self.load0 = os.getloadavg()[0]

    def stop(self) -> dict:
        backends = self._backends()
        return {
            "worker": self._worker() - self.worker0,
            "database": sum(cpu - self.backends0.get(pid, 0.0) for pid, cpu in backends.items()),
            "bench": time.process_time() - self.bench0,
            "bench_database": self._own_backend() - self.own_backend0,
            "load": (self.load0, os.getloadavg()[0]),
        }


def _resync_round(sites, meter):
    """One measured resync of `sites` once everything before it has settled: (items, seconds
    until the library and its consumers are done, seconds until the copies are too, CPU)."""
    from federation.library import services as library

    _poll(lambda: _settled(0) and _copies_current(), timeout=1800, interval=0.2)
    started_version = _last_version()
    meter.start()
    started = time.perf_counter()
    total = sum(library.resync_site(site) for site in sites)
    _poll(lambda: _settled(started_version), timeout=1800, interval=0.05)
    library_done = time.perf_counter() - started
    _poll(_copies_current_or_swept, timeout=1800, interval=0.05)
    copies_done = time.perf_counter() - started
    return total, library_done, copies_done, meter.stop()


def _report_rounds(report, name, rounds):
    """Each round's figures, then the median round's as `name` (items/s with the copies)."""
    import statistics

    for n, (total, library_done, copies_done, cpu) in enumerate(rounds, 1):
        print(
            f"   round {n}: {total} items, library {total / library_done:.1f} items/s, "
            f"with the copies {total / copies_done:.1f} items/s ({copies_done:.2f} s); CPU "
            f"worker {cpu['worker']:.2f} s, its database backends {cpu['database']:.2f} s, "
            f"bench {cpu['bench']:.2f} s + its backend {cpu['bench_database']:.2f} s; "
            f"load {cpu['load'][0]:.1f}→{cpu['load'][1]:.1f}",
            flush=True,
        )
    total = rounds[0][0]
    report(f"{name}_items", total, "items")
    report(name, statistics.median(t / c for t, _, c, _ in rounds), "items/s")
    report(f"{name}_library_only", statistics.median(t / d for t, d, _, _ in rounds), "items/s")
    worker = statistics.median(cpu["worker"] / t for t, _, _, cpu in rounds)
    database = statistics.median(cpu["database"] / t for t, _, _, cpu in rounds)
    report(f"{name}_worker_cpu_per_item", worker * 1000, "ms")
    report(f"{name}_database_cpu_per_item", database * 1000, "ms")
    # What one worker process could move with the CPU it took (and with its database's too).
    report(f"{name}_per_worker_cpu", 1 / worker if worker else 0.0, "items/s of CPU")
    report(
        f"{name}_per_cpu_with_database",
        1 / (worker + database) if worker + database else 0.0,
        "items/s of CPU",
    )


def _throughput(report, districts, worker_pid):
    from federation.library import services as library
    from federation.library.models import LibraryItem

    sites = districts[:SYNC_SITES]
    _poll(lambda: _settled(0), timeout=300)
    missing = {s.pk: max(0, SYNC_ITEMS - LibraryItem.objects.filter(site=s).count()) for s in sites}
    if any(missing.values()):
        print(f"   writing {sum(missing.values())} pages and a first resync…", flush=True)
        for site in sites:
            _write_pages(site, missing[site.pk], SYNC_COLUMN)
        before = _last_version()
        for site in sites:
            library.resync_site(site)
        _poll(lambda: _settled(before), timeout=1800, interval=0.5)
    _resend_stale_deliveries()
    meter = CpuMeter(worker_pid)
    print("   a warm-up resync (unmeasured)…", flush=True)
    _resync_round(sites, meter)
    rounds = [_resync_round(sites, meter) for _ in range(SYNC_ROUNDS)]
    _report_rounds(report, "library_sync_throughput", rounds)


def _import(report, districts, worker_pid):
    """An import: the throughput case's pages with new bodies, so every item is projected,
    segmented and written anew (nothing to skip), and every copy on the portal updated."""
    sites = districts[:SYNC_SITES]
    meter = CpuMeter(worker_pid)
    rounds = []
    for _ in range(SYNC_ROUNDS):
        _poll(lambda: _settled(0) and _copies_current(), timeout=1800, interval=0.2)
        run = _last_version()
        for site in sites:
            _rewrite_bodies(site, run)
        rounds.append(_resync_round(sites, meter))
    _report_rounds(report, "library_import_throughput", rounds)


# Government prose for the rewritten bodies: every page gets its own draw of these.
SENTENCES = [
    "为进一步做好城区道路维修工程，切实保障人民群众生命财产安全，现将有关事项通知如下。",
    "各单位要高度重视冬季供暖保障工作，明确责任分工，细化工作措施，确保各项任务落到实处。",
    "会议指出，生活垃圾分类事关群众切身利益，必须坚持以人民为中心的发展思想。",
    "请广大市民注意出行安全，合理安排出行路线，给您带来的不便敬请谅解。",
    "据统计，今年以来全市累计完成投资十二亿元，同比增长百分之八点五。",
    "咨询电话：0473-1234567，受理时间为工作日上午九时至下午五时。",
    "区政府召开常务会议，研究部署优化营商环境、促进民营经济发展等重点工作。",
    "各街道办事处、区直各部门要认真落实安全生产责任制，全面排查整治各类隐患。",
]


def _rewrite_bodies(website, run):
    """Every live article of the site gets a body of its own (about 400 characters), written
    in bulk without the publish flow: the library hears of it by the resync that follows."""
    import random

    from sites.core.models import ArticlePage

    with harness.schema_context(website.schema_name):
        for pk in ArticlePage.objects.filter(live=True).values_list("pk", flat=True):
            rng = random.Random(f"{website.schema_name}:{pk}:{run}")
            text = "".join(rng.choice(SENTENCES) for _ in range(10)) + f"（第{run}版）"
            ArticlePage.objects.filter(pk=pk).update(body=[("paragraph", f"<p>{text}</p>")])


@contextlib.contextmanager
def _http_server():
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.bench"}
    log_path = ROOT / "var" / "bench" / "gunicorn-syndication.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with (
                    contextlib.suppress(OSError),
                    socket.create_connection(("127.0.0.1", port), 0.5),
                ):
                    break
                time.sleep(0.2)
            yield port
        finally:
            server.terminate()
            server.wait(15)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _home(port, host):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Host": host})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (local bench)
        return response.read().decode()


def _broadcast_reach(report, sites):
    from federation.syndication import broadcasts

    with _http_server() as port:
        hosts = [s.primary_domain for s in sites]
        for host in hosts:  # warm: every site rendered once, no banner
            assert 'role="alert"' not in _home(port, host)
        title = f"基准紧急广播{int(time.time())}"
        started = time.perf_counter()
        now = timezone.now()
        broadcasts.post_broadcast(
            title=title,
            text="基准测试",
            link="http://example.gov.cn/",
            starts_at=now - timezone.timedelta(seconds=1),
            ends_at=now + timezone.timedelta(hours=1),
        )

        def seen(host):
            # One visitor per site, reloading until the banner is there.
            while time.perf_counter() - started < 60:
                if title in _home(port, host):
                    return time.perf_counter() - started
            raise RuntimeError(f"banner missing on {host} after 60 s")

        with ThreadPoolExecutor(max_workers=8) as pool:
            times = list(pool.map(seen, hosts))
        report("broadcast_visible_on_50_sites", max(times), "s")
        report("broadcast_visible_p50_site", harness.summary(times)["p50"], "s")


def run(report):
    from federation.syndication.models import Audience, Subscription
    from tenants.models import Website

    print(f"   provisioning {SITES} district sites and a portal…", flush=True)
    districts = harness.ensure_sites(SITES if "broadcast" in CASES else max(SYNC_SITES, 5))
    # With BENCH_KEEP_DATABASE=1 the portal and its subscription of the last run are kept.
    portal = Website.objects.portal() or harness.provision(0, kind="portal", prefix="p")
    Subscription.objects.get_or_create(
        name="区县工作动态",
        target=portal,
        column_slug="yaowen",
        audience=Audience.ALL_DISTRICTS,
        item_types=["news"],
    )
    real_worker = _redis_up()
    report("syndication_real_worker", int(real_worker), "1=Celery worker on Redis, 0=in-process")
    with _worker() if real_worker else contextlib.nullcontext() as worker_pid:
        if "latency" in CASES:
            _latency(report, portal, districts[:5])
        if "throughput" in CASES:
            _throughput(report, districts, worker_pid)
        if "import" in CASES:  # not by default: it rewrites every copy on the portal
            _import(report, districts, worker_pid)
    if "broadcast" in CASES:
        _broadcast_reach(report, [portal, *districts[: SITES - 1]])
