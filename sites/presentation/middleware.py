"""繁體 pages at `/zh-hant/…`, generated from the Simplified render (V5).

Two pieces around the page cache:
- `TraditionalPrefixMiddleware` (before the page cache): `/zh-hant/tzgg/` is served as
  `/tzgg/` with `request.page_language = "zh-hant"`. The cache keys the copy by that language
  (pagecache.policy) under the same path, so purging a page purges both scripts.
- `TraditionalConversionMiddleware` (inside the page cache, after the site is known): turns
  the Simplified HTML into Traditional with the site's OpenCC variant; the page cache stores
  the converted bytes, so a hit costs what a Simplified hit costs.
"""

from django.conf import settings

from .chinese import PREFIX, html_to_traditional
from .models import PresentationSettings

TRADITIONAL = "zh-hant"
# Paths that have no 繁體 version (answered as usual, i.e. 404 under the prefix).
NO_PREFIX = ("/admin/", "/static/", "/media/", "/documents/", "/api/", "/2fa/", "/en/", "/mn/")


def language_of(request) -> str:
    return getattr(request, "page_language", settings.LANGUAGE_CODE)


class TraditionalPrefixMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path == PREFIX:
            path = PREFIX + "/"
        if path.startswith(PREFIX + "/"):
            rest = path[len(PREFIX) :]
            if not rest.startswith(NO_PREFIX):
                request.page_language = TRADITIONAL
                request.simplified_path = rest
                request.path_info = rest
                request.path = request.META.get("SCRIPT_NAME", "").rstrip("/") + rest
        return self.get_response(request)


class TraditionalConversionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "page_language", None) != TRADITIONAL:
            return response
        if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
            return response
        if (
            response.status_code in (301, 302, 303, 307, 308)
            and response.get("Location", "")[:1] == "/"
            and not response["Location"].startswith(NO_PREFIX)
        ):
            response["Location"] = PREFIX + response["Location"]
            return response
        charset = response.charset or "utf-8"
        html = response.content.decode(charset)
        response.content = html_to_traditional(html, variant_for(request)).encode(charset)
        response["Content-Language"] = "zh-Hant"
        return response


def variant_for(request) -> str:
    try:
        return PresentationSettings.for_request(request).traditional_variant
    except Exception:  # no Wagtail site for this host (a status page): the standard variant
        return "s2t"
