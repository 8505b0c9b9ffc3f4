from django import template
from wagtail.models import Site

register = template.Library()


def _home(request, site):
    """The home page of the tree the visitor is reading: an English or Mongolian page
    (request.page_language, set from its /en/ or /mn/ prefix) gets its version's home and
    columns, not the Chinese ones; a Chinese page (繁體 too) costs no extra query."""
    root = site.root_page
    if getattr(request, "page_language", None) not in (None, "zh-hans", "zh-hant"):
        return root.localized  # the active language's translation, or the Chinese home
    return root


@register.simple_tag(takes_context=True)
def site_columns(context):
    """The site's top-level columns for the main navigation, fetched once per request."""
    request = context.get("request")
    if request is None:
        return []
    if not hasattr(request, "_site_columns"):
        site = Site.find_for_request(request)
        request._site_columns = (
            list(
                _home(request, site)
                .get_children()
                .live()
                .in_menu()
                .only("title", "url_path", "path", "depth", "slug")
            )
            if site
            else []
        )
    return request._site_columns


@register.simple_tag(takes_context=True)
def site_home_url(context):
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    return _home(request, site).url if site else "/"
