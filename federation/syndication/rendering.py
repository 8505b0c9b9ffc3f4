"""The body of an original, as HTML another site can show: rendered in the source's schema.

Images, documents and page links in a body point at the source site's own paths
(`/media/tenants/alpha/…`, `/documents/12/…`, `/gzdt/…`). On another site those paths would
mean something else or nothing, so every root-relative link is made absolute to the source's
primary domain (`federation.library.links`, the one place such URLs are built).

The body is parsed as HTML (lxml) and only attribute values are rewritten: a regex over the
markup missed unquoted values and `srcset`, and rewrote "attributes" that were only text.
"""

import html as htmlcodec

import lxml.html
from django.utils.html import escape, linebreaks
from django_tenants.utils import schema_context
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.rich_text import expand_db_html

from federation.library.links import absolute_url
from shared_blocks.sanitize import clean_body_html

# Attributes that hold one URL, and the one that holds a list of "URL descriptor" candidates.
URL_ATTRIBUTES = ("href", "src", "poster")
SRCSET = "srcset"


def _is_root_relative(url: str) -> bool:
    return url.startswith("/") and not url.startswith("//")


def _absolute(url: str, website) -> str:
    url = url.strip()  # browsers ignore the spaces around a URL; so does the rewrite
    return absolute_url(website, url) if _is_root_relative(url) else url


def _absolute_srcset(srcset: str, website) -> str:
    candidates = []
    for candidate in srcset.split(","):
        url, _, descriptor = candidate.strip().partition(" ")
        candidates.append(" ".join(filter(None, [_absolute(url, website), descriptor.strip()])))
    return ", ".join(candidates)


def absolutize(html: str, website) -> str:
    """`html` with every root-relative href, src, poster and srcset made absolute to `website`.
    Returned unchanged (byte for byte) when it has none."""
    if not html.strip():
        return html
    container = lxml.html.fragment_fromstring(html, create_parent="div")
    changed = False
    for element in container.iter():
        if not isinstance(element.tag, str):  # comments, processing instructions
            continue
        for name in (*URL_ATTRIBUTES, SRCSET):
            value = element.get(name)
            if value is None:
                continue
            rewritten = (
                _absolute_srcset(value, website) if name == SRCSET else _absolute(value, website)
            )
            if rewritten != value:
                element.set(name, rewritten)
                changed = True
    if not changed:
        return html
    return htmlcodec.escape(container.text or "", quote=False) + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in container
    )


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
    """Render a library item's live body in its own site's schema, links made absolute, cleaned
    to the markup our blocks produce (whatever the source's row holds)."""

    return render_item_bodies([item])[item.pk]


def render_item_bodies(items) -> dict[int, str]:
    """{item pk: body} for items of one site: their pages read in one query (per page type)."""
    if not items:
        return {}
    site = items[0].site
    with schema_context(site.schema_name):
        # The live content, never a draft: a page's row holds the live version once published.
        pages = Page.objects.filter(pk__in=[i.page_id for i in items]).specific()
        html_by_page = {page.pk: page_body_html(page) for page in pages}
    bodies = {}
    for item in items:
        if item.site_id != site.pk:
            raise ValueError("render_item_bodies: the items of one site at a time")
        if item.page_id not in html_by_page:
            bodies[item.pk] = ""
            continue
        html = html_by_page[item.page_id]
        if not html.strip() and item.text:
            html = linebreaks(escape(item.text))
        bodies[item.pk] = clean_body_html(absolutize(html, site))
    return bodies
