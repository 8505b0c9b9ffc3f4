"""Chinese word segmentation, the same way for documents and queries.

Both backends index the *same* terms: documents are cut into jieba's precise-mode words, each
word gets a position, and the dictionary sub-words of a long word (道路维修 → 道路, 维修) share
its position, as jieba's search mode does. Queries are cut the same way, so 道路 finds
道路维修工程 and 出行安全 means 出行 AND 安全.

The cutter is jieba-rs (the `rjieba` binding): jieba's dictionary and algorithm (precise mode,
HMM for words not in the dictionary) in Rust. It cuts ~25 times faster than the Python jieba
and loads in ~0.15 s instead of ~1 s (a bare process holding it: 43 MB, not 121 MB); cutting
was the largest part of an import's time through the library (README, "The library's bulk
flow"). Its words for Chinese text are jieba's own; runs of letters, digits and signs that
jieba splits (website.legal_name, zh-hant) it keeps whole, and `cut` splits them as jieba
does, so an entry's terms are what they were (`tests/federation/search/test_segment.py` holds
the two side by side).
"""

import functools
import re
import unicodedata
from importlib import metadata

import rjieba

_WORD = re.compile(r"\w+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# jieba's own classes: the characters its dictionary cuts (re_han_default), and how it splits a
# run of the others that is not a dictionary word (finalseg's re_skip; signs kept together).
_JIEBA_HAN = re.compile(r"[\u4E00-\u9FD5]")
_JIEBA_PIECE = re.compile(r"[a-zA-Z0-9]+(?:\.\d+)?%?|[+#&._%\-]+|\r\n|.", re.S)

MAX_POSITIONS_PER_TERM = 255  # PostgreSQL keeps at most 256 positions of a lexeme
MAX_INDEXED_CHARS = 200_000  # tsvector values are limited to 1 MB
# Part of every index entry's digest (backends/postgres/documents.ROW_FORMAT, the Elasticsearch
# backend's DOCUMENT_FORMAT): another cutter, another dictionary, other words; its entries are
# written anew.
CUTTER_VERSION = f"rjieba {metadata.version('rjieba')}"


def cut(text: str) -> list[str]:
    """jieba's precise-mode tokens of `text`, every one (punctuation and spaces too)."""
    tokens = []
    for token in rjieba.cut(text, hmm=True):
        if len(token) > 1 and not _JIEBA_HAN.search(token) and not is_word(token):
            tokens += _JIEBA_PIECE.findall(token)
        else:
            tokens.append(token)
    return tokens


def is_word(text: str) -> bool:
    """Whether `text` is a word of the dictionary."""
    return rjieba.has_word(text)


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
    found = []
    for n in (2, 3):
        for i in range(len(word) - n + 1):
            gram = word[i : i + n]
            if gram != word and is_word(gram) and gram not in found:
                found.append(gram)
    return found


def words(text: str) -> list[str]:
    """Precise-mode words of `text` as terms, punctuation dropped."""
    out = []
    for word in cut(normalise(text)):
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
    for raw in cut(normalise(text[:MAX_INDEXED_CHARS])):
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
    """The terms one token indexes: the word itself and its dictionary sub-words;
    () for punctuation. Kept per process (a language's words recur: ~10 MB when full), as
    it depends on the token alone."""
    word = term(raw)
    return (word, *subwords(word)) if word else ()


def segmented(text: str) -> str:
    """Text with spaces between words (every token kept), for the Elasticsearch fields."""
    return " ".join(w for w in cut(normalise(text)[:MAX_INDEXED_CHARS]) if w.strip())


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
