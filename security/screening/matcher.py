"""The multi-pattern matcher behind 错敏词 screening: one Aho–Corasick pass over folded text.

Folding makes variants of a term match: full-width Latin letters, digits and punctuation
become half-width (ＡＢＣ → abc, the ideographic space → a space), Latin letters lower case,
Traditional characters Simplified (烏海 → 乌海, character by character with OpenCC), and
whitespace and zero-width characters between characters are skipped (“乌 海”, “乌\u200b海”).
Every folded character comes from exactly one character of the original, so a hit maps back
to its exact offsets in the text the editor wrote.

Pure Python over pyahocorasick and OpenCC: no Django here (services.py feeds it data).
"""

import bisect
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick

ALLOW = "allow"  # a correct form: a hit inside one is not a finding (副市长张三 ⊃ 市长张三)

_IGNORABLE = frozenset(" \t\r\n\u00a0\u3000\u200b\u200c\u200d\u2060\ufeff")
_IGNORABLE_RE = re.compile("[" + re.escape("".join(sorted(_IGNORABLE))) + "]")


class _FoldTable(dict):
    """str.translate table filled on first sight of each character (one OpenCC call per
    distinct character, ever, per process)."""

    _converter = None
    _lock = threading.Lock()

    def __missing__(self, code):
        folded = _fold_char(code, self._t2s())
        self[code] = folded
        return folded

    @classmethod
    def _t2s(cls):
        if cls._converter is None:
            with cls._lock:
                if cls._converter is None:
                    import opencc

                    cls._converter = opencc.OpenCC("t2s")
        return cls._converter


def _fold_char(code: int, converter) -> str:
    char = chr(code)
    if 0xFF01 <= code <= 0xFF5E:  # full-width ASCII block
        char = chr(code - 0xFEE0)
    elif code == 0x3000:
        char = " "
    if "A" <= char <= "Z":
        return char.lower()
    if code >= 0x2E80:  # CJK and beyond: Traditional → Simplified, when one for one
        simplified = converter.convert(char)
        if len(simplified) == 1:
            return simplified
    return char


_TABLE = _FoldTable()


def fold(text: str) -> tuple[str, list[int] | None]:
    """(folded text, positions) — positions[i] is the offset in `text` of folded char i, or
    None when they are the same (nothing skipped)."""
    folded = text.translate(_TABLE)
    if not _IGNORABLE_RE.search(folded):
        return folded, None
    positions = [i for i, char in enumerate(folded) if char not in _IGNORABLE]
    return "".join(folded[i] for i in positions), positions


def fold_term(term: str) -> str:
    return fold(term)[0]


@dataclass(frozen=True)
class Entry:
    """One dictionary entry as the matcher sees it."""

    term: str
    kind: str
    suggestion: str = ""
    severity: str = "warning"
    source: str = ""
    note: str = ""
    entry_id: int | None = None


@dataclass(frozen=True)
class Hit:
    start: int  # offsets in the original text, end exclusive
    end: int
    entry: Entry


class Matcher:
    """A compiled dictionary. Build once (see services: cached per dictionary version), then
    `find(text)` from any thread."""

    def __init__(self, entries: Iterable[Entry]):
        self._automaton = ahocorasick.Automaton()
        count = 0
        for entry in entries:
            key = fold_term(entry.term)
            if not key:
                continue
            existing = self._automaton.get(key, None)
            if existing is None:
                self._automaton.add_word(key, (len(key), (entry,)))
            elif entry not in existing[1]:
                self._automaton.add_word(key, (len(key), existing[1] + (entry,)))
            count += 1
        self.size = count
        if count:
            self._automaton.make_automaton()

    def __bool__(self):
        return self.size > 0

    def find(self, text: str) -> list[Hit]:
        """Every hit, overlapping ones included, in order of position; hits lying inside a
        correct form (ALLOW entries) are left out, and so are the ALLOW hits themselves."""
        if not self.size or not text:
            return []
        folded, positions = fold(text)
        hits: list[Hit] = []
        allowed: list[tuple[int, int]] = []
        for last, (length, entries) in self._automaton.iter(folded):
            first = last - length + 1
            if positions is None:
                start, end = first, last + 1
            else:
                start, end = positions[first], positions[last] + 1
            for entry in entries:
                if entry.kind == ALLOW:
                    allowed.append((start, end))
                else:
                    hits.append(Hit(start, end, entry))
        if allowed and hits:
            inside = _containment(allowed)
            hits = [hit for hit in hits if not inside(hit)]
        hits.sort(key=lambda hit: (hit.start, -hit.end))
        return hits


def _containment(spans: list[tuple[int, int]]):
    """hit → does one of `spans` contain it? (starts sorted, the running maximum of ends)"""
    spans.sort()
    starts = [start for start, _ in spans]
    reach, furthest = [], -1
    for _, end in spans:
        furthest = max(furthest, end)
        reach.append(furthest)

    def inside(hit: Hit) -> bool:
        index = bisect.bisect_right(starts, hit.start)
        return index > 0 and reach[index - 1] >= hit.end

    return inside
