"""The hall's narrow table (HallEntry), kept by a library consumer.

`follow_item` (and `follow_items`, its batch form) is registered with the library
(`consumers.register("hall", …)` in apps.py): it
runs after every library change — an editor's publish, a withdrawal, a site suspended, the
bulk projection of a site's pages — and may run twice (a crash between the handler and the
step's mark), so it writes the item as it is now: an upsert, or a delete when the item is no
longer a current service item. The sweep (`library-sweep-consumers`) runs a step a crash left
pending, so the table follows the library.

`rebuild` writes the whole table from the library at once, with the same mapping: for data
written to the library without its consumers (the services benchmark's bulk items).
"""

from federation.library.models import ItemType, LibraryItem

from .models import HallEntry

LEVELS = range(1, 5)
FACET_VALUE_LENGTH = HallEntry._meta.get_field("themes").base_field.max_length


def _names(value) -> list[str]:
    """A facet list from the projection: strings only, each cut to the column's length."""
    if not isinstance(value, list):
        return []
    return list(dict.fromkeys(str(v)[:FACET_VALUE_LENGTH] for v in value if v))


def entry_for(item: LibraryItem) -> HallEntry:
    extra = item.extra if isinstance(item.extra, dict) else {}
    level = extra.get("online_level")
    return HallEntry(
        item_id=item.pk,
        site_id=item.site_id,
        title=item.title,
        summary=item.summary,
        url=item.url,
        online_level=level if level in LEVELS else 1,
        service_type=str(extra.get("service_item_type") or "")[:20],
        themes=_names(extra.get("themes")),
        life_events=_names(extra.get("life_events")),
        version=item.version,
    )


def _current(item: LibraryItem) -> bool:
    return item.item_type == ItemType.SERVICE and not item.withdrawn


UPDATED = [
    "site",
    "title",
    "summary",
    "url",
    "online_level",
    "service_type",
    "themes",
    "life_events",
    "version",
]


def follow_item(item: LibraryItem, event: str) -> None:
    """The library consumer: the item's row as the item is now (idempotent)."""
    if _current(item):
        HallEntry.objects.bulk_create(
            [entry_for(item)],
            update_conflicts=True,
            unique_fields=["item"],
            update_fields=UPDATED,
        )
    else:
        HallEntry.objects.filter(item_id=item.pk).delete()


def follow_items(changes) -> None:
    """The batch form of `follow_item` (a site's re-projection hands over hundreds of items):
    one upsert for the current service items, one delete for the rest."""
    items = {item.pk: item for item, _event in changes}.values()  # an item's latest state once
    current = [item for item in items if _current(item)]
    if current:
        _write([entry_for(item) for item in current])
    gone = [item.pk for item in items if not _current(item)]
    if gone:
        HallEntry.objects.filter(item_id__in=gone).delete()


def rebuild(batch_size: int = 1000) -> int:
    """Write every current service item's row and drop the rest; returns the rows written."""
    current = LibraryItem.objects.filter(item_type=ItemType.SERVICE, withdrawn=False)
    HallEntry.objects.exclude(item__in=current).delete()
    written = 0
    chunk = []
    for item in current.iterator(chunk_size=batch_size):
        chunk.append(entry_for(item))
        if len(chunk) == batch_size:
            written += _write(chunk)
            chunk = []
    return written + _write(chunk)


def _write(entries) -> int:
    HallEntry.objects.bulk_create(
        entries, update_conflicts=True, unique_fields=["item"], update_fields=UPDATED
    )
    return len(entries)
