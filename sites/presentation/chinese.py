"""Simplified → Traditional Chinese with OpenCC (V5): text, and whole HTML pages.

OpenCC (the official `opencc` binding: BYVoid's C++ library with its dictionaries, wheels for
every platform, released with the library itself) converts by phrases, not characters:
头发→頭髮 but 发展→發展, and s2twp's 软件→軟體. Proper nouns that must keep their registered
form are protected: each is swapped for a placeholder OpenCC leaves alone, then put back.
The dictionary of protected terms is the platform operator's (the console); this module asks
for it through the `TRADITIONAL_PROTECTED_TERMS` setting (an import string), as the layers
require (sites sits below tenants).
"""

import re
import time
from functools import cache

import opencc
from django.conf import settings
from django.utils.module_loading import import_string

VARIANTS = ("s2t", "s2tw", "s2twp", "s2hk")
DEFAULT_VARIANT = "s2t"
PREFIX = "/zh-hant"
TERMS_TTL = 30  # seconds a process trusts its copy of the protected terms
# Characters OpenCC passes through untouched and no page contains: segment and placeholder
# delimiters (ASCII unit and record separators).
_SEP = "\x1f"
_MARK = "\x1e"


@cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


_terms_cache: dict = {"at": 0.0, "terms": (), "pattern": None}


def forget_protected_terms() -> None:
    _terms_cache["at"] = 0.0


def protected_terms() -> tuple[str, ...]:
    now = time.monotonic()
    if now - _terms_cache["at"] > TERMS_TTL:
        source = getattr(settings, "TRADITIONAL_PROTECTED_TERMS", "")
        terms = tuple(import_string(source)()) if source else ()
        # longest first: 乌海市人民政府 wins over 乌海
        terms = tuple(sorted({t for t in terms if t}, key=len, reverse=True))
        pattern = re.compile("|".join(re.escape(t) for t in terms)) if terms else None
        _terms_cache.update(at=now, terms=terms, pattern=pattern)
    return _terms_cache["terms"]


def _protect(text: str) -> tuple[str, list[str]]:
    protected_terms()
    pattern = _terms_cache["pattern"]
    if pattern is None:
        return text, []
    kept: list[str] = []

    def swap(match):
        kept.append(match.group(0))
        return f"{_MARK}{len(kept) - 1}{_MARK}"

    return pattern.sub(swap, text), kept


_RESTORE = re.compile(f"{_MARK}(\\d+){_MARK}")


def to_traditional(text: str, variant: str = DEFAULT_VARIANT) -> str:
    """`text` in Traditional characters, protected terms unchanged."""
    if variant not in VARIANTS:
        variant = DEFAULT_VARIANT
    shielded, kept = _protect(text)
    converted = _converter(variant).convert(shielded)
    if kept:
        converted = _RESTORE.sub(lambda m: kept[int(m.group(1))], converted)
    return converted


def to_simplified(text: str) -> str:
    """A visitor's Traditional (or mixed) text in Simplified, for search: 烏海 → 乌海."""
    return _converter("t2s").convert(text) if text else text


# --- HTML ---------------------------------------------------------------------------------
# A page is tokenised into markup and text. Text is converted (all of it in one OpenCC call,
# joined by a separator); inside tags only the attributes a reader sees are converted; script
# and style bodies and spans between <!--nc--> and <!--/nc--> (the language switch's own
# label) are left alone. Links to this site's pages are prefixed so the reader stays in 繁體.
_TOKEN = re.compile(r"<!--.*?-->|<(script|style|textarea)\b.*?</\1\s*>|<[^>]+>", re.S | re.I)
_ATTR = re.compile(r'''(\s)(title|alt|aria-label|placeholder|content|label)(\s*=\s*)"([^"]*)"''')
_HREF = re.compile(r'''(\s(?:href|action)\s*=\s*")(/[^"]*)"''')
NO_CONVERT_START, NO_CONVERT_END = "<!--nc-->", "<!--/nc-->"
_NOT_PREFIXED = (
    "//",
    "/static/",
    "/media/",
    "/documents/",
    "/admin/",
    "/api/",
    "/en/",  # other language versions are not Chinese: no 繁體 of them
    "/mn/",
    PREFIX + "/",
)


def _prefix_link(match) -> str:
    url = match.group(2)
    if url.startswith(_NOT_PREFIXED) or url == PREFIX:
        return match.group(0)
    return f'{match.group(1)}{PREFIX}{url}"'


def html_to_traditional(html: str, variant: str = DEFAULT_VARIANT) -> str:
    pieces: list[str] = []  # markup and text, alternating as found
    texts: list[int] = []  # indexes of the text pieces to convert
    position = 0
    skipping = False
    for match in _TOKEN.finditer(html):
        start = match.start()
        if start > position:
            if not skipping:
                texts.append(len(pieces))
            pieces.append(html[position:start])
        token = match.group(0)
        if token == NO_CONVERT_START:
            skipping = True
        elif token == NO_CONVERT_END:
            skipping = False
        elif not skipping and token[1:2] not in ("!", "/") and match.group(1) is None:
            if 'hreflang="zh-Hans"' not in token:  # the switch back to Simplified stays so
                token = _HREF.sub(_prefix_link, token)
            if '="' in token:
                texts.append(len(pieces))  # a tag with attributes: converted below, selectively
        pieces.append(token)
        position = match.end()
    if position < len(html):
        texts.append(len(pieces))
        pieces.append(html[position:])

    # Collect every string to convert, convert them in one call, put them back.
    strings: list[str] = []
    slots: list[tuple[int, int | None, re.Match | None]] = []
    for index in texts:
        piece = pieces[index]
        if piece.startswith("<"):
            for attr in _ATTR.finditer(piece):
                if attr.group(4):
                    slots.append((index, attr.start(4), attr))
                    strings.append(attr.group(4))
        elif piece.strip():
            slots.append((index, None, None))
            strings.append(piece)
    if not strings:
        return "".join(pieces)
    converted = to_traditional(_SEP.join(strings), variant).split(_SEP)
    if len(converted) != len(strings):  # a separator in the page itself: convert piecemeal
        converted = [to_traditional(s, variant) for s in strings]
    # Attributes are replaced from the end of each tag backwards so offsets stay valid.
    for (index, offset, attr), new in reversed(list(zip(slots, converted, strict=True))):
        if attr is None:
            pieces[index] = new
        else:
            piece = pieces[index]
            pieces[index] = piece[:offset] + new + piece[attr.end(4) :]
    return "".join(pieces)


def traditional_path(path: str) -> str:
    """The 繁體 URL of a Simplified path: /tzgg/ → /zh-hant/tzgg/."""
    return PREFIX + path if not path.startswith(PREFIX + "/") else path


def simplified_path(path: str) -> str:
    """The Simplified URL of a path, whichever it is: /zh-hant/tzgg/ → /tzgg/."""
    if path == PREFIX or path.startswith(PREFIX + "/"):
        return path[len(PREFIX) :] or "/"
    return path
