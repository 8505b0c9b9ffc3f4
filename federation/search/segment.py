"""Chinese word segmentation (jieba), the same way for documents and queries.

Both backends index the *same* terms: documents are cut in jieba's precise mode, each word
gets a position, and the dictionary sub-words of a long word (道路维修 → 道路, 维修) share its
position, as jieba's search mode does. Queries are cut the same way, so 道路 finds
道路维修工程 and 出行安全 means 出行 AND 安全.
"""

import logging
import re
import threading
import unicodedata

_WORD = re.compile(r"\w+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_lock = threading.Lock()
_jieba = None

MAX_POSITIONS_PER_TERM = 255  # PostgreSQL keeps at most 256 positions of a lexeme
MAX_INDEXED_CHARS = 200_000  # tsvector values are limited to 1 MB


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
    positions: dict[str, list[int]] = {}
    pos = start
    for raw in jieba().cut(normalise(text[:MAX_INDEXED_CHARS])):
        word = term(raw)
        if not word:
            # Punctuation takes a position too, so a quoted phrase never spans "交通，确保".
            pos += 1 if raw.strip() else 0
            continue
        pos += 1
        for t in (word, *subwords(word)):
            slots = positions.setdefault(t, [])
            if len(slots) < MAX_POSITIONS_PER_TERM:
                slots.append(min(pos, 16383))
    return positions, pos


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
