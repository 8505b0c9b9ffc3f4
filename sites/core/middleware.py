"""The platform speaks its language (zh-Hans) whatever the browser asks for.

It takes the place of Django's LocaleMiddleware, which follows Accept-Language (and makes
every response vary on it): a browser set to English turned the admin half English (Wagtail
uses the request's language for every user who has not chosen one) and put Django's English
form errors on the console's and the sites' Chinese pages. A site's language versions are
chosen by their URL, never by the browser; in the admin a user who picks another language in
账号 → 首选语言 still gets it (Wagtail applies the preference itself).
"""

from django.conf import settings
from django.utils import translation


def language_version(request) -> str | None:
    """The language version a public URL names (/en/…, /mn/…) when the site enables it in its
    registry entry (Website.languages); None otherwise (then /en/… is just a missing page)."""
    code = translation.get_language_from_path(request.path_info)
    if not code or code == settings.LANGUAGE_CODE:
        return None
    content_languages = {c for c, _ in getattr(settings, "WAGTAIL_CONTENT_LANGUAGES", ())}
    enabled = getattr(getattr(request, "tenant", None), "languages", None) or ()
    return code if code in content_languages and code in enabled else None


class PlatformLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        version = language_version(request)
        translation.activate(version or settings.LANGUAGE_CODE)
        if version:
            request.page_language = version
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
