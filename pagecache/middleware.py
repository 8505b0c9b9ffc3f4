"""Serve anonymous pages from the per-site page cache, before the tenant is even chosen.

Placed before `tenants.middleware.WebsiteMiddleware`: a hit answers from the `pages` cache
with no SQL query at all (not even the domain lookup). The host → schema map it needs is
learnt only from responses of active sites, so a Host that names no site never reads a
page entry nor writes anything: it falls through to the usual 404 page.
"""

import hashlib
import logging
import time

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified

from tenants.models import Website

from . import integrations, policy, store

HOST_MAP_TTL = 60  # seconds a worker trusts its own host → schema memory
HOST_MAP_MAX = 10_000
DEFAULT_CACHE_CONTROL = "public, max-age=0, s-maxage=1, must-revalidate"
PRIVATE = "private, no-cache"
# Headers added by middleware outside this one on every response, or computed per hit.
_NOT_STORED = {"set-cookie", "cache-control", "etag", "x-page-cache", "content-length"}

log = logging.getLogger("jiyue.pagecache")

_hosts: dict[str, tuple[str, float]] = {}


def _known_schema(hostname: str) -> str | None:
    now = time.monotonic()
    found = _hosts.get(hostname)
    if found and found[1] > now:
        return found[0]
    schema = store.schema_for_host(hostname)
    if schema:
        _remember_locally(hostname, schema, now)
    return schema


def _remember_locally(hostname: str, schema: str, now: float) -> None:
    if len(_hosts) >= HOST_MAP_MAX:
        _hosts.clear()  # only real site hosts get here; clearing is a safe, rare reset
    _hosts[hostname] = (schema, now + HOST_MAP_TTL)


def forget_local_hosts() -> None:
    _hosts.clear()


def _active_site_schema(request) -> str | None:
    website = getattr(request, "tenant", None)
    if website is None or not website.is_site or website.status != Website.Status.ACTIVE:
        return None
    return website.schema_name


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not getattr(settings, "PAGECACHE_ENABLED", False):
            return self.get_response(request)
        variant = policy.variant_for(request)
        if variant is None:
            return self._bypass(request)
        schema = tokens = None
        try:
            schema = _known_schema(variant.hostname)
            if schema:
                # Tokens are read before rendering: see store.py on why that defeats races.
                tokens = store.tokens(schema, variant.path)
                if tokens[2] is not None:
                    entry = store.backend().get(store.entry_key(schema, *tokens, variant))
                    if entry is not None:
                        return self._from_entry(request, entry)
        except Exception:  # the cache being down must never stop pages rendering (T2)
            log.warning("page cache unavailable; rendering without it", exc_info=True)
            return self._bypass(request)
        response = self.get_response(request)
        served_schema = _active_site_schema(request)
        if served_schema is None:
            response.headers.setdefault("Cache-Control", PRIVATE)
            return response
        try:
            if schema != served_schema:
                # First visit to this host (or the domain moved): learn it now, and store
                # from the next request on, whose tokens will be read before rendering.
                store.remember_host(variant.hostname, served_schema)
                _remember_locally(variant.hostname, served_schema, time.monotonic())
                tokens = None
            stored = (
                bool(tokens)
                and policy.storable(request, response)
                and self._store(served_schema, tokens, variant, response)
            )
        except Exception:
            log.warning("page cache unavailable; page not stored", exc_info=True)
            stored = False
        if stored:
            response["X-Page-Cache"] = "miss"
        else:
            response.headers.setdefault("Cache-Control", PRIVATE)
            response["X-Page-Cache"] = "miss" if tokens else "learn"
        return response

    def _bypass(self, request):
        response = self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL):
            response.headers.setdefault("Cache-Control", PRIVATE)
        response["X-Page-Cache"] = "bypass"
        return response

    def _store(self, schema, tokens, variant, response):
        global_token, site_token, path_token = tokens
        if path_token is None:
            path_token = store.claim_path_token(schema, variant.path)
            if path_token is None:
                return False
        key = store.entry_key(schema, global_token, site_token, path_token, variant)
        content = response.content
        etag = '"' + hashlib.blake2b(content, digest_size=10).hexdigest() + '"'
        response["ETag"] = etag
        response["Cache-Control"] = getattr(
            settings, "PAGECACHE_CACHE_CONTROL", DEFAULT_CACHE_CONTROL
        )
        headers = [(k, v) for k, v in response.items() if k.lower() not in _NOT_STORED]
        timeout = getattr(settings, "PAGECACHE_TIMEOUT", 3600)
        # Content that changes by the clock (a broadcast starting or ending) bounds the copy.
        limit = integrations.seconds_until_broadcast_change()
        if limit is not None:
            timeout = min(timeout, limit)
        if timeout <= 0:
            return False
        store.backend().set(
            key, (content, headers, etag, response["Cache-Control"]), timeout=timeout
        )
        return True

    @staticmethod
    def _from_entry(request, entry):
        content, headers, etag, cache_control = entry
        if etag in request.headers.get("If-None-Match", ""):
            response = HttpResponseNotModified()
        else:
            response = HttpResponse(b"" if request.method == "HEAD" else content)
            for name, value in headers:
                response[name] = value
            response["Content-Length"] = str(len(content))
        response["ETag"] = etag
        response["Cache-Control"] = cache_control
        response["X-Page-Cache"] = "hit"
        return response
