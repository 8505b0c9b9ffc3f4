"""What a visitor asked for: parameters read from a request, and the query text understood.

Shared by the HTML view and the JSON API (same parameters), and by both backends (same
understanding of the text). User text never reaches a query language as written: it is cut
into terms of word characters, and each backend builds its own query from those terms.
"""

import re
from dataclasses import dataclass, field

from federation.library.models import ItemType
from sites.presentation.chinese import to_simplified

from . import segment

MAX_QUERY_CHARS = 100
MAX_TERMS = 12
PER_PAGE = 10
MAX_PAGE = 100  # deeper pages cost more than they are worth; narrow with facets instead
SORTS = ("relevance", "date")
# Words too common to require: dropped when the query has other terms.
STOP_TERMS = {
    "的",
    "了",
    "和",
    "与",
    "及",
    "在",
    "是",
    "对",
    "有",
    "或",
    "等",
    "之",
    "the",
    "of",
    "and",
    "a",
    "an",
    "to",
    "in",
}
_QUOTES = str.maketrans({"“": '"', "”": '"', "「": '"', "」": '"', "『": '"', "』": '"', "＂": '"'})
_PHRASE = re.compile(r'"([^"]*)"')


@dataclass
class TermGroup:
    """One required word: matched as itself, or (for a long Chinese word) by all its parts."""

    term: str
    parts: list[str] = field(default_factory=list)


@dataclass
class ParsedText:
    groups: list[TermGroup]
    phrases: list[list[str]]
    identifier: str  # the whole query as a 文号/索引号 candidate, '' if it cannot be one

    @property
    def empty(self) -> bool:
        return not (self.groups or self.phrases or self.identifier)

    def highlight_terms(self) -> list[str]:
        terms = {g.term for g in self.groups}
        for g in self.groups:
            terms.update(g.parts)
        for phrase in self.phrases:
            terms.update(phrase)
        return sorted(terms, key=len, reverse=True)


def parse_text(text: str) -> ParsedText:
    # A Traditional query (烏海 供暖) finds the Simplified text: matched in Simplified (OpenCC).
    text = to_simplified(segment.normalise(text or "").translate(_QUOTES)[:MAX_QUERY_CHARS])
    phrases = []
    for raw in _PHRASE.findall(text):
        words = segment.words(raw)
        if len(words) > 1:
            phrases.append(words[:MAX_TERMS])
        elif words:  # a quoted single word is just that word
            text += " " + words[0]
    rest = _PHRASE.sub(" ", text).replace('"', " ")  # an unmatched quote is dropped
    groups, seen = [], set()
    for word in segment.words(rest):
        if word in seen:
            continue
        seen.add(word)
        parts = segment.subwords(word) if len(word) > 2 else []
        groups.append(TermGroup(word, [p for p in parts if len(p) >= 2]))
    if len(groups) > 1:
        groups = [g for g in groups if g.term not in STOP_TERMS] or groups
    candidate = segment.identifier(text.replace('"', ""))
    looks_like_identifier = (
        len(candidate) >= 4
        and any(c.isdigit() for c in candidate)
        and ("〔" in candidate or "号" in candidate or "/" in candidate or "-" in candidate)
    )
    return ParsedText(groups[:MAX_TERMS], phrases[:3], candidate if looks_like_identifier else "")


@dataclass
class SearchRequest:
    """A search, as the view and the API understand it. Unknown or bad values are dropped."""

    text: str = ""
    scope: str = "site"  # "site" or "all"
    site_id: int | None = None  # the site searched from (scope "site")
    sites: list[str] = field(default_factory=list)  # facet filter: schema names
    types: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    sort: str = "relevance"
    page: int = 1
    per_page: int = PER_PAGE
    notes: list[str] = field(default_factory=list)  # messages for the visitor
    # Values the request named that are not known: the page ignores them, the API says 400.
    errors: list[str] = field(default_factory=list)

    @property
    def parsed(self) -> ParsedText:
        if not hasattr(self, "_parsed"):
            self._parsed = parse_text(self.text)
        return self._parsed

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def _ints(values) -> list[int]:
    out = []
    for v in values:
        v = (v or "").strip()
        if v.isascii() and v.isdigit() and len(v) <= 4:
            out.append(int(v))
    return out


def from_params(params, *, website) -> SearchRequest:
    """Read q, scope, site, type, year, sort, page from a QueryDict (GET)."""

    req = SearchRequest()
    req.text = (params.get("q") or "").strip()
    if len(req.text) > MAX_QUERY_CHARS:
        req.text = req.text[:MAX_QUERY_CHARS]
        req.notes.append(f"检索词过长，只使用了前{MAX_QUERY_CHARS}个字。")
    portal = website is not None and website.kind == "portal"
    scope = params.get("scope") or ("all" if portal or website is None else "site")
    req.scope = scope if scope in ("site", "all") else "site"
    if website is None:
        req.scope = "all"
    req.site_id = website.pk if website is not None else None
    req.sites = [
        s for s in params.getlist("site") if re.fullmatch(r"[a-z][a-z0-9_]{0,40}", s or "")
    ]
    req.types = [t for t in params.getlist("type") if t in ItemType.values]
    unknown_types = [t for t in params.getlist("type") if t and t not in ItemType.values]
    if unknown_types:
        req.errors.append(
            f"不支持的类型（type）：{'、'.join(unknown_types)[:100]}；"
            f"可用的值：{'、'.join(ItemType.values)}。"
        )
    req.years = [y for y in _ints(params.getlist("year")) if 1900 <= y <= 2200]
    sort = params.get("sort") or "relevance"
    req.sort = sort if sort in SORTS else "relevance"
    if sort not in SORTS:
        req.errors.append(f"不支持的排序方式（sort）：{sort[:40]}；可用的值：{'、'.join(SORTS)}。")
    raw_page = (params.get("page") or "1").strip()
    req.page = (
        int(raw_page)
        if raw_page.isascii() and raw_page.isdigit() and len(raw_page) < 10
        else (MAX_PAGE + 1 if raw_page.isascii() and raw_page.isdigit() else 1)
    )
    req.page = max(req.page, 1)
    if req.page > MAX_PAGE:
        req.notes.append(f"最多显示前{MAX_PAGE}页结果，请增加检索词或按网站、类型、年份筛选。")
        req.page = MAX_PAGE
    return req
