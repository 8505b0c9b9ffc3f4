"""What every page's head, header and footer carry: language, links between the Simplified and
繁體 versions, canonical and Open Graph tags, feeds, the footer marks of a government site."""

import re
from functools import lru_cache
from urllib.parse import quote

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.urls import Resolver404, resolve
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale, Page, Site

from ..chinese import simplified_path, traditional_path
from ..models import PresentationSettings

register = template.Library()

HTML_LANG = {"zh-hans": "zh-Hans", "zh-hant": "zh-Hant", "en": "en", "mn": "mn"}
OG_LOCALE = {"zh-hans": "zh_CN", "zh-hant": "zh_TW", "en": "en_US", "mn": "mn_CN"}
ICP_REGISTRY = "https://beian.miit.gov.cn/"
POLICE_REGISTRY = "https://beian.mps.gov.cn/#/query/webSearch?code={code}"


def _request(context):
    return context.get("request")


def _settings(request):
    """The site's presentation settings, read once per request (Wagtail caches them on it)."""
    if request is None or Site.find_for_request(request) is None:
        return None
    return PresentationSettings.for_request(request)


def page_language(request) -> str:
    return getattr(request, "page_language", None) or settings.LANGUAGE_CODE


@register.simple_tag(takes_context=True)
def html_lang(context) -> str:
    request = _request(context)
    return HTML_LANG.get(page_language(request) if request else settings.LANGUAGE_CODE, "zh-Hans")


def _origin(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _simplified_full_path(request) -> str:
    """This page's Simplified path with its query (the path is already Simplified: the 繁體
    prefix was taken off by the middleware)."""
    return simplified_path(request.get_full_path())


@register.inclusion_tag("presentation/includes/head.html", takes_context=True)
def presentation_head(context):
    """hreflang alternates, canonical, Open Graph, feeds, print stylesheet, favicon."""
    request = _request(context)
    page = context.get("page")
    if request is None:
        return {}
    origin = _origin(request)
    path = _simplified_full_path(request)
    canonical = origin + request.path
    source_url = getattr(page, "source_url", "") if isinstance(page, Page) else ""
    if source_url:
        canonical = source_url  # a syndicated copy: the original is the canonical page
    elif page_language(request) == "zh-hant":
        canonical = origin + traditional_path(request.path)
    settings_ = _settings(request)
    feeds = []
    specific_class = page.specific_class if isinstance(page, Page) else None
    if specific_class is not None and specific_class.__name__ == "ColumnPage":
        feeds.append((f"/feeds/column/{page.pk}/rss.xml", "application/rss+xml", "RSS"))
        feeds.append((f"/feeds/column/{page.pk}/atom.xml", "application/atom+xml", "Atom"))
    if specific_class is not None and specific_class.__name__ == "CataloguePage":
        feeds.append(("/feeds/catalogue/rss.xml", "application/rss+xml", "RSS"))
        feeds.append(("/feeds/catalogue/atom.xml", "application/atom+xml", "Atom"))
    description = ""
    if isinstance(page, Page):
        description = page.search_description or getattr(page, "summary", "") or ""
    alternates = [
        ("zh-Hans", origin + path),
        ("zh-Hant", origin + traditional_path(path)),
        ("x-default", origin + path),
    ]
    language = page_language(request)
    if language not in ("zh-hans", "zh-hant"):  # an English or Mongolian page: no 繁體 of it
        alternates = [(HTML_LANG.get(language, language), origin + request.path)]
    return {
        "request": request,
        "page": page,
        "canonical": canonical,
        "alternates": alternates,
        "og_type": "article" if hasattr(page, "date") else "website",
        "og_locale": OG_LOCALE.get(language, "zh_CN"),
        "description": description[:200],
        "feeds": feeds,
        "favicon": "/favicon.ico" if settings_ and settings_.favicon_id else None,
        "default_favicon": static("core/favicon.ico"),
        "website": context.get("website"),
    }


LANGUAGE_NAMES = {"zh-hans": "中文", "en": "English", "mn": "ᠮᠣᠩᠭᠣᠯ"}
# Said in the language of the page the visitor is reading (locale/ catalogues), not the target's.
UNTRANSLATED = {
    "zh-hans": _("（本页暂无中文版，将打开中文首页）"),
    "en": _("（本页暂无英文版，将打开英文版首页）"),
    "mn": _("（本页暂无蒙古文版，将打开蒙古文版首页）"),
}


def language_versions(request, page, website) -> list[dict]:
    """The other language trees this site enables (registry: languages) that exist: for each,
    this page's translation, or that version's home page, said so, when the page has none.
    Never a link to a page that is not there."""
    default = settings.LANGUAGE_CODE
    content = [c for c, _ in getattr(settings, "WAGTAIL_CONTENT_LANGUAGES", ())]
    enabled = [
        c for c in content if c != default and c in (getattr(website, "languages", None) or ())
    ]
    if not enabled:
        return []
    current = page_language(request)
    site = Site.find_for_request(request)
    if site is None:
        return []
    locales = {
        loc.language_code: loc
        for loc in Locale.objects.filter(language_code__in=[default, *enabled])
    }
    versions = []
    for code in [default, *enabled]:
        if code == current or (code == default and current == "zh-hant") or code not in locales:
            continue
        target = None
        if isinstance(page, Page):
            target = page.get_translation_or_none(locales[code])
        fallback = target is None or not target.live
        if fallback:
            target = site.root_page.get_translation_or_none(locales[code])
            if target is None or not target.live:
                continue
        versions.append(
            {
                "code": code,
                "name": LANGUAGE_NAMES.get(code, code),
                "url": target.get_url(request),
                "fallback": UNTRANSLATED.get(code, "")
                if fallback and isinstance(page, Page)
                else "",
            }
        )
    return versions


@register.inclusion_tag("presentation/includes/reading_tools.html", takes_context=True)
def reading_tools(context):
    """The 简体/繁體 switch (same page, other script), the other language versions, and the
    elder-friendly mode's button."""
    request = _request(context)
    if request is None:
        return {}
    path = _simplified_full_path(request)
    language = page_language(request)
    return {
        "chinese": language in ("zh-hans", "zh-hant"),
        "traditional": language == "zh-hant",
        "simplified_url": path,
        "traditional_url": traditional_path(path),
        "versions": language_versions(request, context.get("page"), context.get("website")),
        "page_lang": HTML_LANG.get(language, "zh-Hans"),
    }


@register.simple_tag(takes_context=True)
def main_class(context) -> str:
    """Mongolian pages read top to bottom, columns left to right."""
    request = _request(context)
    return "mongolian-vertical" if request and page_language(request) == "mn" else ""


_POLICE_CODE = re.compile(r"(\d{10,})")
ZHAOCUO_PATH = "/zhaocuo/"


@lru_cache(maxsize=1)
def zhaocuo_available() -> bool:
    """Whether this installation answers 找错 reports at /zhaocuo/ (the interaction area's
    view): until it does, the footer shows no link to a page that is not there."""
    try:
        return resolve(ZHAOCUO_PATH).url_name != "wagtail_serve"
    except Resolver404:
        return False


@register.inclusion_tag("presentation/includes/footer.html", takes_context=True)
def site_footer(context):
    """主办、承办, 网站标识码, ICP and 公安 records linked, the 党政机关 badge, 网站地图, 联系我们, 找错."""
    request = _request(context)
    website = context.get("website")
    settings_ = _settings(request)
    police = getattr(website, "police_record_number", "") or ""
    code = _POLICE_CODE.search(police)
    path = _simplified_full_path(request) if request else "/"
    return {
        "website": website,
        "identity": context.get("identity"),
        "icp_url": ICP_REGISTRY,
        "police_url": POLICE_REGISTRY.format(code=code.group(1)) if code else "",
        "conac_url": settings_.conac_url if settings_ else "",
        "zhaocuo_url": ZHAOCUO_PATH + "?url=" + quote(path, safe="/")
        if zhaocuo_available()
        else "",
    }


@register.simple_tag(takes_context=True)
def header_style(context) -> str:
    """The site's header image as a CSS custom property (an inline style attribute: CSP allows
    style attributes, not inline scripts)."""
    settings_ = _settings(_request(context))
    if not settings_ or not settings_.header_image_id:
        return ""
    rendition = settings_.header_image.get_rendition("fill-1600x200")
    return format_html(' style="--header-image: url(&quot;{}&quot;)"', rendition.url)
