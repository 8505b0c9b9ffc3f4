"""The body of an original, as HTML another site can show: rendered in the source's schema.

Images, documents and page links in a body point at the source site's own paths
(`/media/tenants/alpha/…`, `/documents/12/…`, `/gzdt/…`). On another site those paths would
mean something else or nothing, so every root-relative link is made absolute to the source's
primary domain (`federation.library.links`, the one place such URLs are built).
"""

import re

from django.utils.html import escape, linebreaks
from django_tenants.utils import schema_context
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.rich_text import expand_db_html

from federation.library.links import absolute_url

_ROOT_RELATIVE = re.compile(r"""(\s(?:href|src)\s*=\s*)(["'])(/(?!/)[^"']*)\2""", re.IGNORECASE)


def absolutize(html: str, website) -> str:
    return _ROOT_RELATIVE.sub(lambda m: f"{m[1]}{m[2]}{absolute_url(website, m[3])}{m[2]}", html)


def page_body_html(page) -> str:
    """The page's body as HTML. A page type may define `syndication_body_html()`; otherwise its
    `body` field (StreamField or rich text) is rendered the way its own template would."""
    hook = getattr(page, "syndication_body_html", None)
    if callable(hook):
        return hook()
    try:
        field = page._meta.get_field("body")
    except Exception:
        return ""
    value = getattr(page, "body", None)
    if not value:
        return ""
    if isinstance(field, StreamField):
        return "".join(str(block.render(context={"page": page})) for block in value)
    if isinstance(field, RichTextField):
        return expand_db_html(value)
    return linebreaks(escape(str(value)))


def render_item_body(item) -> str:
    """Render a library item's live body in its own site's schema, links made absolute."""

    with schema_context(item.site.schema_name):
        page = Page.objects.filter(pk=item.page_id).first()
        if page is None:
            return ""
        page = page.specific
        # The live content, never a draft: a page's row holds the live version once published.
        html = page_body_html(page)
    if not html.strip() and item.text:
        html = linebreaks(escape(item.text))
    return absolutize(html, item.site)
