from django import template
from wagtail.models import Site

register = template.Library()


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
                site.root_page.get_children()
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
    return site.root_page.url if site else "/"
