"""What may be cached: the request side (before rendering) and the response side (after).

Everything here is deliberately conservative: when in doubt the page is rendered and
served without being stored. An attacker can therefore only ever cause cache entries for
real pages, in a bounded number of variants (see `normalised_query`).
"""

import re
from functools import lru_cache
from urllib.parse import parse_qsl, unquote, urlencode

from django.conf import settings
from django.http.request import split_domain_port
from django.utils import translation
from wagtail.models import Page

from . import store

MAX_PATH_LENGTH = 512
MAX_QUERY_LENGTH = 512
# Response Vary values we can honour: the key already carries language; compression is
# done by nginx; Cookie because anonymous requests (no session cookie) all look alike.
HONOURED_VARY = {"cookie", "accept-language", "accept-encoding"}
PRIVATE_CACHE_CONTROL = ("private", "no-store", "no-cache")


def _setting(name, default):
    return getattr(settings, name, default)


@lru_cache(maxsize=8)
def _param_patterns(items: tuple) -> dict:
    return {name: re.compile(pattern) for name, pattern in items}


def normalised_query(query_string: str) -> str | None:
    """A canonical query string for the key, or None when the request must not be cached.

    Only parameters listed in PAGECACHE_QUERY_PARAMS (name → full-match pattern) may vary a
    cached page; tracking parameters (utm_*) are dropped. Anything else — a search term, a
    personal identifier, a cache-busting `?x=random` — means "render, don't store": an
    attacker cannot mint new cache entries by inventing parameters.
    """
    if not query_string:
        return ""
    if len(query_string) > MAX_QUERY_LENGTH:
        return None
    allowed = _param_patterns(
        tuple(sorted(_setting("PAGECACHE_QUERY_PARAMS", {"page": r"[1-9]\d{0,3}"}).items()))
    )
    ignored = tuple(_setting("PAGECACHE_IGNORED_PARAM_PREFIXES", ("utm_",)))
    kept = {}
    for name, value in parse_qsl(query_string, keep_blank_values=True):
        if name.startswith(ignored):
            continue
        pattern = allowed.get(name)
        if pattern is None or name in kept or not pattern.fullmatch(value):
            return None
        kept[name] = value
    return urlencode(sorted(kept.items()))


def excluded_path(path: str) -> bool:
    prefixes = _setting(
        "PAGECACHE_EXCLUDED_PATHS", ("/admin/", "/documents/", "/static/", "/media/")
    )
    return len(path) > MAX_PATH_LENGTH or path.startswith(tuple(prefixes))


def hostname_of(request) -> str | None:
    """The site's hostname without port (ports must not multiply entries), or None if invalid."""
    try:
        host = request.get_host()
    except Exception:  # DisallowedHost: the tenant middleware answers it as usual
        return None
    domain, _port = split_domain_port(host)
    return domain.lower() or None


def variant_for(request) -> store.Variant | None:
    """The cache variant of a request, or None when this request must bypass the cache."""
    if request.method not in ("GET", "HEAD"):
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META:
        return None  # possibly logged in: never read or write shared copies
    path = request.path
    if excluded_path(path):
        return None
    query = normalised_query(request.META.get("QUERY_STRING", ""))
    if query is None:
        return None
    hostname = hostname_of(request)
    if hostname is None:
        return None
    # A language version chosen by URL (繁體 at /zh-hant/…, served under the Simplified path:
    # sites.presentation) keys its own copy; purging the path purges both.
    language = getattr(request, "page_language", None) or translation.get_language_from_request(
        request
    )
    return store.Variant(request.scheme, hostname, path, language, query)


def storable(request, response) -> bool:
    """Whether this response, rendered for an anonymous visitor, may be shared."""
    if request.method != "GET" or response.status_code != 200 or response.streaming:
        return False
    if response.cookies or getattr(request, "is_preview", False):
        return False  # a cookie being set (CSRF, session, messages) means a personal response
    cache_control = response.get("Cache-Control", "").lower()
    if any(word in cache_control for word in PRIVATE_CACHE_CONTROL):
        return False
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    if vary - HONOURED_VARY:
        return False
    user = getattr(request, "_cached_user", None)
    if user is not None and user.is_authenticated:
        return False
    if b"csrfmiddlewaretoken" in response.content:
        return False  # a form: its token is personal
    if "'nonce-" in response.get("Content-Security-Policy", ""):
        return False  # an inline script allowed by this response's nonce: a nonce is never reused
    if not real_listing_page(request, response):
        return False
    served = served_page_path(request, response)
    # Wagtail percent-encodes a Chinese slug in the URLs it builds; request.path (the key, and
    # the url_path purges use) is decoded: compare decoded, or such pages are never stored.
    return served is not None and unquote(served) == request.path


def real_listing_page(request, response) -> bool:
    """`?page=N` is stored only where N is a page the listing really has.

    Otherwise `/?page=1…9999` on any page (or past a column's last page, which the
    paginator clamps) would mint thousands of copies of the same bytes.
    """
    wanted = request.GET.get("page")
    if wanted is None:
        return True
    page_obj = (getattr(response, "context_data", None) or {}).get("page_obj")
    return page_obj is not None and str(getattr(page_obj, "number", "")) == wanted


def served_page_path(request, response) -> str | None:
    """The URL path of the Wagtail page this response rendered, if it rendered one.

    Only a page served at its own URL is cached, so purging that page's path purges every
    cached copy of it. Sub-URLs of routable pages and plain Django views are not cached
    unless their authors purge them (see `services.purge_paths`) — or unless the page type
    names them in `pagecache_subpaths` (e.g. an interview's "transcript/"): those are purged
    with the page (services.affected_paths).
    """

    context = getattr(response, "context_data", None) or {}
    page = context.get("page")
    if not isinstance(page, Page):
        return None
    parts = page.get_url_parts(request)
    if not parts:
        return None
    sub = request.path[len(parts[2]) :] if request.path.startswith(parts[2]) else None
    if sub and sub in getattr(type(page), "pagecache_subpaths", ()):
        return request.path
    return parts[2]
