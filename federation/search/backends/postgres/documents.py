"""What a row of the index is made of (models.SearchDocument): the item's jieba terms as a
tsvector with weights by field, and tags saying which site, type, year and sample bucket the row
belongs to, so that the GIN index can narrow a search by them (matching.py asks for them).
"""

from collections import defaultdict

from federation.library.models import LibraryItem

from ... import segment
from ...documents import digest, identifiers, local_year

# A row's columns, in the order `row` gives them.
COLUMNS = (
    "item_id, site_id, item_type, year, published_at, expires_at, identifiers, vector, "
    "source_digest"
)
# What a row is made of, as a version: change it with anything that changes a row built from
# the same item (segmentation, weights, tags), and every item's next write builds its row anew.
ROW_FORMAT = f"1 {segment.CUTTER_VERSION}"
# Every row belongs to one of SAMPLE_BUCKETS buckets by its item id, and carries it as a
# 'sample:N' tag: the counts of a very common word are estimated from the first few buckets
# (matching.py). SAMPLE_BUCKET_SQL is `sample_bucket` in SQL, over the row `d`.
SAMPLE_BUCKETS = 64
SAMPLE_BUCKET_SQL = "(mod(d.item_id * 40503, 65536) / 1024)"


def sample_bucket(item_id: int) -> int:
    """Fibonacci hashing: the top 6 of the low 16 bits of id × 40503 (2^16 / golden ratio), as
    SAMPLE_BUCKET_SQL computes it. Consecutive ids spread evenly over the 64 buckets, and so do
    ids in any stride (two sites publishing in turn), which id mod 64 would put in half of them."""
    return (item_id * 40503 % 65536) >> 10


def lexeme(term: str) -> str:
    """A tsquery/tsvector lexeme literal. Terms are word characters only; quote anyway."""
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def indexed_fields(item: LibraryItem) -> list[tuple[str, str]]:
    """The texts the vector is cut from, with their weights: title A, identifiers, category
    and issuer B, summary C, body D (PostgreSQL's default rank weights 1.0, 0.4, 0.2, 0.1)."""
    return [
        (item.title or "", "A"),
        (f"{item.document_number} {item.index_number} {item.category} {item.issuer}", "B"),
        (item.summary or "", "C"),
        (item.text or "", ""),
    ]


def tsvector(item: LibraryItem, cut: dict | None = None) -> str:
    """The item's terms with positions and weights, then its tags. `cut`: the fields already
    segmented in this batch ({text: segment.field_terms(text)}), added to as it goes, so a
    field that recurs across a batch's items (a column's name, a shared summary) is cut once."""
    cut = {} if cut is None else cut
    merged: dict[str, list[str]] = defaultdict(list)
    pos = 0
    for text, weight in indexed_fields(item):
        if text not in cut:
            cut[text] = segment.field_terms(text)
        terms, used = cut[text]
        start = pos + 1
        for term, positions in terms.items():
            slots = merged[term]
            for p in positions:
                if len(slots) < segment.MAX_POSITIONS_PER_TERM:
                    slots.append(f"{min(start + p, 16383)}{weight}")
        pos = start + used
    words = " ".join(f"{lexeme(t)}:{','.join(p)}" for t, p in merged.items())
    return " ".join([words, *(lexeme(t) for t in tags(item))]).strip()


def tag(kind: str, value) -> str:
    """A lexeme that no word can be (terms are word characters only, never ':'): the row's
    site, type or year inside its vector. A search for one site, type or year then asks the
    GIN index for `… & 'site:12'`, which reads only that site's matches from the table."""
    return f"{kind}:{value}"


def tags(item: LibraryItem) -> list[str]:
    year = local_year(item.published_at)
    return [
        tag("site", item.site_id),
        tag("type", item.item_type),
        *([tag("year", year)] if year else []),
        tag("sample", sample_bucket(item.pk)),
    ]


def row(item: LibraryItem, cut: dict | None = None) -> tuple:
    """The item's row, in COLUMNS order (`cut`: as for `tsvector`)."""
    published = item.published_at
    return (
        item.pk,
        item.site_id,
        item.item_type,
        local_year(published),
        published,
        item.expires_at,
        identifiers(item),
        tsvector(item, cut),
        source_digest(item),
    )


def source_digest(item: LibraryItem) -> int:
    """A digest of everything `row` makes the item's row from, and the format above: equal
    digests, equal rows. An item written again unchanged (a resync) keeps its row and costs no
    segmentation; any change to a field, a tag or the format writes it anew. (`manage.py
    reindex` rewrites every row whatever its digest.)"""
    return digest(
        ROW_FORMAT,
        item.pk,
        item.site_id,
        item.item_type,
        item.published_at.isoformat() if item.published_at else "",
        item.expires_at.isoformat() if item.expires_at else "",
        *(text for text, _weight in indexed_fields(item)),
    )
