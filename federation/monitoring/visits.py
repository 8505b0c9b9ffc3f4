"""Visit counts (issue 16 item 6): page views per site, path and day, with no cookie and no
personal data (no address, no agent string is kept: a request adds one to a counter).

`VisitCounterMiddleware` sits above the page cache in MIDDLEWARE, so a page served from the
cache is counted like a rendered one. It counts anonymous-looking GETs answered 200 with HTML
on a site's host (not the admin, files or APIs, not crawlers or our own probes) in a
per-process buffer, added to the day's row in one statement at most every FLUSH_SECONDS (and
when the buffer grows large). A process that dies loses at most that many seconds of counts.
"""

import logging
import threading
import time

from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.models import Domain

from .models import VisitDay

log = logging.getLogger("jiyue.monitoring")
FLUSH_SECONDS = 10.0
FLUSH_SIZE = 2000
HOSTS_TTL = 60.0
NOT_PAGES = (
    "/admin",
    "/static/",
    "/media/",
    "/documents/",
    "/api/",
    "/2fa/",
    "/favicon",
    "/robots",
)
CRAWLERS = ("bot", "spider", "crawl", "slurp", "jiyuemonitor")

_lock = threading.Lock()
_buffer: dict[tuple[int, object, str], int] = {}
_state = {"flushed": time.monotonic(), "hosts": {}, "hosts_at": 0.0}


def _website_for_host(host: str) -> int | None:
    now = time.monotonic()
    if now - _state["hosts_at"] > HOSTS_TTL:
        with schema_context("public"):
            hosts = dict(
                Domain.objects.filter(
                    tenant__kind__in=("portal", "district", "department")
                ).values_list("domain", "tenant_id")
            )
        _state["hosts"], _state["hosts_at"] = hosts, now
    return _state["hosts"].get(host)


def countable(request, response) -> bool:
    if request.method != "GET" or response.status_code != 200:
        return False
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    path = request.path
    if path.startswith(NOT_PAGES):
        return False
    agent = request.META.get("HTTP_USER_AGENT", "").lower()
    return bool(agent) and not any(word in agent for word in CRAWLERS)


def count(website_id: int, path: str, day=None) -> None:
    key = (website_id, day or timezone.localdate(), path[:500])
    with _lock:
        _buffer[key] = _buffer.get(key, 0) + 1
        due = len(_buffer) >= FLUSH_SIZE or time.monotonic() - _state["flushed"] > FLUSH_SECONDS
    if due:
        flush()


def flush() -> int:
    """Add the buffered counts to the day rows; returns how many rows were touched."""
    with _lock:
        pending = dict(_buffer)
        _buffer.clear()
        _state["flushed"] = time.monotonic()
    if not pending:
        return 0
    rows = [(w, d, p, n) for (w, d, p), n in pending.items()]
    table = VisitDay._meta.db_table
    try:
        with connection.cursor() as cursor:
            cursor.executemany(
                f'INSERT INTO "public"."{table}" (website_id, day, path, views) '  # noqa: S608
                "VALUES (%s, %s, %s, %s) ON CONFLICT (website_id, day, path) "
                f'DO UPDATE SET views = "{table}".views + EXCLUDED.views',
                rows,
            )
    except Exception:
        log.warning("visit counts could not be written; %s rows lost", len(rows), exc_info=True)
        return 0
    return len(rows)


class VisitCounterMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        try:
            if countable(request, response):
                website_id = _website_for_host(request.get_host().split(":")[0].lower())
                if website_id is not None:
                    count(website_id, request.path)
        except Exception:  # counting must never break a page
            log.warning("visit not counted", exc_info=True)
        return response
