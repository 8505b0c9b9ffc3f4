"""Clean body HTML made on one site before another site shows it (F1, Z2: defence in depth).

A syndicated copy carries its source's body as HTML. The source's editor already limits what
an editor can write, but markup can reach a body below the editor (a migration, an import, a
raw database write, a compromised site): the receiving site must not trust it. `clean_body_html`
keeps only the tags and attributes the blocks of this app and the rich-text features produce
(`RICH_TEXT_FEATURES`, the block templates), with http(s)/mailto/tel links, and drops the rest
with nh3 (the Ammonia sanitizer): scripts, frames, forms, `on*` handlers, `style`, and
`javascript:` / `data:` URLs never pass.
"""

import nh3

# What the block templates (shared_blocks/templates) and Wagtail's rich text produce.
TAGS = {
    # rich text: RICH_TEXT_FEATURES (h3, h4, bold, italic, ol, ul, link, document-link, hr)
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "b",
    "strong",
    "i",
    "em",
    "ol",
    "ul",
    "li",
    "a",
    "hr",
    # blocks: image, attachments, tables, notices, shared resources, statistics
    "div",
    "span",
    "section",
    "aside",
    "figure",
    "figcaption",
    "img",
    "table",
    "caption",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
}
# Attributes allowed on every tag above, and the ones specific to a tag.
GENERIC_ATTRIBUTES = {"class", "role", "aria-label", "aria-labelledby", "aria-describedby", "lang"}
ATTRIBUTES = {
    "a": {"href", "title", "download"},
    "img": {"src", "srcset", "alt", "width", "height", "loading"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "div": {"tabindex"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
# Removed with everything inside them (the other unknown tags lose the tag, keep the text).
DROPPED_WITH_CONTENT = {
    "script",
    "style",
    "iframe",
    "object",
    "noscript",
    "template",
    "svg",
    "math",
}


def clean_body_html(html: str) -> str:
    """`html` with only the markup our blocks produce. Idempotent; "" for empty input."""
    if not html or not html.strip():
        return ""
    return nh3.clean(
        html,
        tags=TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes={"*": GENERIC_ATTRIBUTES, **ATTRIBUTES},
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
