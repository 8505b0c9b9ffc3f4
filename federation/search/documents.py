"""What both backends read from a library item beyond its text: the canonical 文号 and 索引号
that find their document when typed exactly, and the year it is filed under. One definition,
so a 文号 or a year facet means the same whichever backend answers."""

import hashlib

from django.utils import timezone

from federation.library.models import LibraryItem

from . import segment


def identifiers(item: LibraryItem) -> list[str]:
    return [segment.identifier(v) for v in (item.document_number, item.index_number) if v.strip()]


def local_year(moment) -> int | None:
    """The year as the site's readers see it (Asia/Shanghai), not UTC's: 1 January counts."""
    return timezone.localtime(moment, timezone.get_default_timezone()).year if moment else None


def digest(*values) -> int:
    """64 bits of BLAKE2b over these values' texts: what an index entry was made from (a
    backend's `source_digest`). Equal digests, equal entries: an unchanged item written again
    (a resync) keeps its entry and costs no segmentation."""
    hashed = hashlib.blake2b(digest_size=8)
    for value in values:
        data = str(value).encode()
        hashed.update(len(data).to_bytes(8, "big"))  # lengths first: no two lists run together
        hashed.update(data)
    return int.from_bytes(hashed.digest(), "big", signed=True)
