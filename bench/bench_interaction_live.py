"""A live interview's transcript at 200 concurrent viewers on the production-like server.

gunicorn started as `make serve` starts it (deploy/gunicorn.conf.py, config.settings.serve,
page cache on) on this bench's database, port INTERACTION_BENCH_PORT (8121). 200 viewers
poll `transcript/` every second with If-None-Match, as the page script does (asyncio, one
keep-alive connection each, starts spread over the first second). Halfway through, a
moderator approves a question (in this process, which purges the shared page cache as the
admin would): each viewer records when it first sees it.

Reports requests/s, p50/p95 latency, the share of 304s and of page-cache hits, and the time
from the approval to the viewers seeing it (p50/max over the 200 viewers; the page script's
one-second interval is included, since the viewers poll exactly as it does).
"""

import asyncio
import datetime
import os
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from bench.harness import percentile, provision, schema_context

ROOT = Path(__file__).resolve().parents[1]
VIEWERS = int(os.environ.get("INTERACTION_BENCH_VIEWERS", 200))
SECONDS = int(os.environ.get("INTERACTION_BENCH_SECONDS", 40))
PORT = int(os.environ.get("INTERACTION_BENCH_PORT", 8121))
INTERVAL = 1.0  # sites/interaction/static/interaction/live.js polls every second
MARK = "基准直播提问"


def _bench_database_url() -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


class Server:
    """deploy/gunicorn.conf.py with config.settings.serve, on the bench database."""

    def __init__(self):
        log_path = ROOT / "var" / "bench" / "interaction-gunicorn.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log = log_path.open("ab")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.serve",
            "DATABASE_URL": _bench_database_url(),
            "PORT": str(PORT),
            "BIND": f"127.0.0.1:{PORT}",
            # The cache this process purges on approval (config.settings.bench's).
            "PAGECACHE_DIR": settings.CACHES["pages"]["LOCATION"],
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=self.log,
        )
        self.log_path = log_path

    def wait(self, host, path):
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(
                    f"gunicorn exited ({self.process.returncode}); see {self.log_path}"
                )
            try:
                status, _headers, _body = asyncio.run(_once(host, path))
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise SystemExit(f"gunicorn did not answer within 120 s; see {self.log_path}")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self.log.close()


async def _request(reader, writer, host, path, etag):
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", "Connection: keep-alive"]
    if etag:
        lines.append(f"If-None-Match: {etag}")
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    await writer.drain()
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("closed")
    status = int(status_line.split()[1])
    headers = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", 0))
    body = await reader.readexactly(length) if length and status != 304 else b""
    return status, headers, body


async def _once(host, path):
    reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
    try:
        return await _request(reader, writer, host, path, None)
    finally:
        writer.close()


async def _viewer(n, host, path, stop_at, approved, samples, seen):
    await asyncio.sleep(n * INTERVAL / VIEWERS)  # viewers arrive spread over a second
    reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
    etag = None
    try:
        while time.monotonic() < stop_at:
            started = time.monotonic()
            try:
                status, headers, body = await _request(reader, writer, host, path, etag)
            except (ConnectionError, asyncio.IncompleteReadError):
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
                continue
            done = time.monotonic()
            samples.append((done - started, status, headers.get("x-page-cache", "")))
            etag = headers.get("etag", etag)
            if status == 200 and approved and n not in seen and MARK.encode() in body:
                seen[n] = done - approved[0]
            await asyncio.sleep(max(0.0, INTERVAL - (done - started)))
    finally:
        writer.close()


async def _drive(host, path, approve):
    samples, seen, approved = [], {}, []
    started = time.monotonic()
    stop_at = started + SECONDS
    viewers = [
        asyncio.create_task(_viewer(n, host, path, stop_at, approved, samples, seen))
        for n in range(VIEWERS)
    ]
    await asyncio.sleep(SECONDS / 2)
    approved.append(time.monotonic())
    await asyncio.to_thread(approve)
    await asyncio.gather(*viewers)
    return samples, seen, time.monotonic() - started


def run(report):
    from sites.core.models import ColumnPage
    from sites.interaction import services
    from sites.interaction.models import InterviewPage, InterviewQuestion

    website = provision(0, prefix="live")
    with schema_context(website.schema_name):
        now = timezone.now()
        interview = InterviewPage(
            title="基准直播访谈",
            slug="bench-live",
            starts_at=now - datetime.timedelta(hours=1),
            ends_at=now + datetime.timedelta(hours=1),
        )
        ColumnPage.objects.get(slug="hdjl").add_child(instance=interview)
        interview.save_revision().publish()
        for n in range(100):
            services.post_entry(
                interview, None, role="guest", speaker="嘉宾", text=f"第{n}段回答，内容较长。" * 5
            )
        path = f"{interview.url}transcript/"
        question = InterviewQuestion.objects.create(page=interview, content=MARK, address_key="x")
    host = website.primary_domain.split(":")[0]

    def approve():
        # As the moderator's request would: the approval purges the page cache the server
        # reads (bench settings share its folder).
        with override_settings(PAGECACHE_ENABLED=True), schema_context(website.schema_name):
            services.moderate_question(question, None, approve=True)

    server = Server()
    try:
        server.wait(host, path)
        print(f"   {VIEWERS} viewers for {SECONDS} s on gunicorn :{PORT}…", flush=True)
        samples, seen, elapsed = asyncio.run(_drive(host, path, approve))
    finally:
        server.stop()
    latencies = [s[0] * 1000 for s in samples]
    errors = sum(1 for s in samples if s[1] >= 500)
    report("live_viewers", VIEWERS, "concurrent pollers")
    report("live_requests_per_s", len(samples) / elapsed, "req/s")
    report("live_poll_p50", percentile(latencies, 50), "ms")
    report("live_poll_p95", percentile(latencies, 95), "ms")
    report("live_share_304", sum(1 for s in samples if s[1] == 304) / len(samples), "of polls")
    report("live_share_cache_hit", sum(1 for s in samples if s[2] == "hit") / len(samples), "")
    report("live_server_errors", errors, "responses ≥ 500")
    waits = sorted(seen.values())
    report("live_viewers_saw_approval", len(waits), f"of {VIEWERS}")
    if waits:
        report("live_approval_visible_p50", percentile([w * 1000 for w in waits], 50), "ms")
        report("live_approval_visible_max", waits[-1] * 1000, "ms")
