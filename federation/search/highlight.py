"""Snippets with the matched words marked, built from the library's plain text.

Both backends use it (Elasticsearch's own highlights are used when it returns them), so a
result reads the same whichever backend answered. Everything is escaped before <mark> is added.
"""

import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

SNIPPET_CHARS = 120
_MAX_MATCHES = 200


def _pattern(terms):
    terms = [t for t in terms if t]
    if not terms:
        return None
    return re.compile(
        "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE
    )


def mark(text: str, terms) -> str:
    """All of `text`, escaped, with every occurrence of a term in <mark>."""
    pattern = _pattern(terms)
    if pattern is None:
        return escape(text)
    out, last = [], 0
    for m in pattern.finditer(text):
        out.append(escape(text[last : m.start()]))
        out.append(f"<mark>{escape(m.group(0))}</mark>")
        last = m.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 — every piece above is escaped


def snippet(text: str, terms, length: int = SNIPPET_CHARS) -> str:
    """The window of `text` with the most matches, escaped and marked."""
    text = text or ""
    pattern = _pattern(terms)
    if pattern is None or len(text) <= length:
        window, start = text[:length], 0
    else:
        starts = [
            m.start() for _, m in zip(range(_MAX_MATCHES), pattern.finditer(text), strict=False)
        ]
        if not starts:
            window, start = text[:length], 0
        else:
            best = max(starts, key=lambda s: sum(1 for o in starts if s <= o < s + length - 10))
            start = max(0, best - 15)
            window = text[start : start + length]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + len(window) < len(text) else ""
    return mark_safe(escape(prefix) + mark(window, terms) + escape(suffix))  # noqa: S308
