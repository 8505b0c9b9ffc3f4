"""A small asyncio HTTP/1.0 client for probes and link checks: many requests at once on one
thread, each with a hard deadline for the whole exchange (connect, send, read).

Why not a library: the deadline must bound a server that accepts and then trickles or never
answers (per-read timeouts would not), and probes must reach the platform's own server with
the site's Host header (the server the platform runs, as a visitor's request would). HTTP/1.0
with `Connection: close` keeps the reading simple: no chunked bodies, the body ends at EOF.
"""

import asyncio
import concurrent.futures
import contextlib
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

USER_AGENT = "JiyueMonitor/1.0 (+platform monitoring; T2)"
MAX_BODY = 2 * 1024 * 1024
MAX_HEADERS = 64 * 1024


@dataclass
class Response:
    url: str
    status: int | None = None
    headers: dict = field(default_factory=dict)
    body: bytes = b""
    elapsed_ms: int = 0
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 400

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


async def _exchange(scheme, host, port, request: bytes, max_body: int):
    context = ssl.create_default_context() if scheme == "https" else None
    reader, writer = await asyncio.open_connection(
        host, port, ssl=context, server_hostname=host if context else None
    )
    try:
        writer.write(request)
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        if len(head) > MAX_HEADERS:
            raise ValueError("response headers too large")
        chunks, size = [], 0
        while size < max_body:
            chunk = await reader.read(min(65536, max_body - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return head, b"".join(chunks)
    finally:
        writer.close()
        with contextlib.suppress(Exception):  # a socket the peer broke: nothing to do
            await asyncio.wait_for(writer.wait_closed(), 1)


def _parse_head(head: bytes):
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/"):
        raise ValueError(f"not an HTTP response: {lines[0][:60]!r}")
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return int(parts[1]), headers


async def fetch(
    url: str,
    *,
    timeout: float,
    connect_to: str = "",
    method: str = "GET",
    max_body: int = MAX_BODY,
) -> Response:
    """Request `url` (its host in the Host header); connect to `connect_to` (an origin such as
    http://127.0.0.1:8000, the platform's own server) instead of the URL's host when given.
    Never raises: a failure is a Response with `error` set."""
    started = time.perf_counter()
    result = Response(url=url)
    try:
        parts = urlsplit(url)
        target = urlsplit(connect_to) if connect_to else parts
        scheme = target.scheme or "http"
        if scheme not in ("http", "https") or not target.hostname:
            raise ValueError(f"cannot request {url!r}")
        port = target.port or (443 if scheme == "https" else 80)
        # Percent-encoded, as a browser sends it: the request line is ASCII, and a Chinese slug
        # written raw came out as "????" (a different, broken URL).
        path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=~")
        if parts.query:
            path += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=~?")
        host = parts.hostname + (f":{parts.port}" if parts.port else "")
        request = (
            f"{method} {path} HTTP/1.0\r\nHost: {host}\r\nUser-Agent: {USER_AGENT}\r\n"
            "Accept: text/html,*/*\r\nConnection: close\r\n\r\n"
        ).encode("latin-1", "replace")
        head, body = await asyncio.wait_for(
            _exchange(scheme, target.hostname, port, request, 0 if method == "HEAD" else max_body),
            timeout,
        )
        result.status, result.headers = _parse_head(head)
        result.body = body
    except TimeoutError:
        result.error = f"超时（{timeout:g} 秒无完整响应）"
    except (OSError, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
        result.error = f"{type(exc).__name__}: {exc}"[:300]
    result.elapsed_ms = int((time.perf_counter() - started) * 1000)
    return result


def run(coroutine):
    """Run a coroutine to completion from synchronous code (tasks, commands).

    When this thread already has a running event loop (a caller inside async code, or a
    process that drives a browser through Playwright's sync API, as `manage.py sweep` in the
    test suite did), asyncio.run() refuses: the round then runs on a thread of its own. The
    coroutines touch no database, so the thread needs no connection."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
