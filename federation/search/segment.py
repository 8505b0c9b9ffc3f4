"""Chinese word segmentation (jieba), the same way for documents and queries.

Both backends index the *same* terms: documents are cut in jieba's precise mode, each word
gets a position, and the dictionary sub-words of a long word (道路维修 → 道路, 维修) share its
position, as jieba's search mode does. Queries are cut the same way, so 道路 finds
道路维修工程 and 出行安全 means 出行 AND 安全.
"""

import functools
import logging
import re
import threading
import unicodedata
from importlib import metadata

_WORD = re.compile(r"\w+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_lock = threading.Lock()
_jieba = None

MAX_POSITIONS_PER_TERM = 255  # PostgreSQL keeps at most 256 positions of a lexeme
MAX_INDEXED_CHARS = 200_000  # tsvector values are limited to 1 MB
# Part of every index entry's digest (backends/postgres/documents.ROW_FORMAT, the Elasticsearch
# backend's DOCUMENT_FORMAT): another jieba, another dictionary, other words; its entries are
# written anew.
JIEBA_VERSION = metadata.version("jieba")


def jieba():
    """jieba, loaded once per process (~0.7 s the first time)."""
    global _jieba
    if _jieba is None:
        with _lock:
            if _jieba is None:
                import jieba as module  # loaded once, on first use: ~0.7 s and 50 MB

                module.setLogLevel(logging.WARNING)
                module.initialize()
                _jieba = module
    return _jieba


def normalise(text: str) -> str:
    """Full-width letters and digits to ASCII (ＣＯＶＩＤ１９ → COVID19), for matching only."""
    return unicodedata.normalize("NFKC", text or "")


def term(word: str) -> str:
    """A word as a search term: word characters only, lower case; '' for punctuation."""
    return "".join(_WORD.findall(word)).lower()


def is_cjk(word: str) -> bool:
    return bool(_CJK.search(word))


def subwords(word: str) -> list[str]:
    """Dictionary words of two and three characters inside a longer Chinese word."""
    if len(word) <= 2 or not is_cjk(word):
        return []
    freq = jieba().dt.FREQ
    found = []
    for n in (2, 3):
        for i in range(len(word) - n + 1):
            gram = word[i : i + n]
            if gram != word and freq.get(gram) and gram not in found:
                found.append(gram)
    return found


def words(text: str) -> list[str]:
    """Precise-mode words of `text` as terms, punctuation dropped."""
    out = []
    for word in jieba().cut(normalise(text)):
        t = term(word)
        if t:
            out.append(t)
    return out


def index_terms(text: str, start: int = 0) -> tuple[dict[str, list[int]], int]:
    """{term: [positions]} for a document field, and the last position used."""
    terms, used = field_terms(text)
    return {t: [min(start + p, 16383) for p in slots] for t, slots in terms.items()}, start + used


def field_terms(text: str) -> tuple[dict[str, list[int]], int]:
    """`index_terms` of a field from position 0, unclipped: what one cut of the text gives,
    to be shifted to wherever the field starts in its document (and so kept for a field that
    recurs: a column's name, a summary shared by a batch's pages)."""
    positions: dict[str, list[int]] = {}
    pos = 0
    for raw in jieba().cut(normalise(text[:MAX_INDEXED_CHARS])):
        terms = token_terms(raw)
        if not terms:
            # Punctuation takes a position too, so a quoted phrase never spans "交通，确保".
            pos += 1 if raw.strip() else 0
            continue
        pos += 1
        for t in terms:
            slots = positions.setdefault(t, [])
            if len(slots) < MAX_POSITIONS_PER_TERM:
                slots.append(pos)
    return positions, pos


@functools.lru_cache(maxsize=50_000)
def token_terms(raw: str) -> tuple[str, ...]:
    """The terms one token of jieba's indexes: the word itself and its dictionary sub-words;
    () for punctuation. Kept per process (a language's words recur: ~10 MB when full), as
    it depends on the token alone."""
    word = term(raw)
    return (word, *subwords(word)) if word else ()


def segmented(text: str) -> str:
    """Text with spaces between words (every token kept), for the Elasticsearch fields."""
    return " ".join(w for w in jieba().cut(normalise(text)[:MAX_INDEXED_CHARS]) if w.strip())


def search_terms(text: str) -> str:
    """Space-separated index terms, sub-words included (Elasticsearch's matching field)."""
    out = []
    for word in words(text[:MAX_INDEXED_CHARS]):
        out.append(word)
        out.extend(subwords(word))
    return " ".join(out)


_BRACKETS = str.maketrans(
    {
        "[": "〔",
        "【": "〔",
        "(": "〔",
        "［": "〔",
        "（": "〔",
        "〖": "〔",
        "]": "〕",
        "】": "〕",
        ")": "〕",
        "］": "〕",
        "）": "〕",
        "〗": "〕",
    }
)


def identifier(value: str) -> str:
    """A 文号 or 索引号 in one canonical spelling: no spaces, one kind of bracket, lower case.

    乌海发[2024]12号, 乌海发〔2024〕12号 and 乌海发（2024）12号 are the same document number.
    """
    value = normalise(value).translate(_BRACKETS)
    return re.sub(r"\s+", "", value).lower()
