"""Where the page cache meets other apps' content that it cannot see change by itself.

The page cache is independent of them: each integration is connected only when its app is
installed, through that app's own signals and read-only helpers.

Syndication (federation.syndication):
- `syndicated_copies_changed(schema, page_ids)`: copies arrived, changed or were withdrawn
  on `schema` → `purge_page` for each (Wagtail's publish signals usually got there first;
  this also covers changes made without them).
- Broadcasts posted or withdrawn: syndication itself purges every site twice (at once, and
  when every process's held broadcast list has expired) — see federation/syndication/broadcasts.
- Broadcasts start and end by the clock, with no write at that moment: a page is cached
  no longer than until the next start or end among the broadcasts its worker knows
  (`expiry_hooks`), so the banner appears and disappears on time.
"""

import logging

from django.apps import apps
from django.utils import timezone

log = logging.getLogger("jiyue.pagecache")


def _syndication_installed() -> bool:
    return apps.is_installed("federation.syndication")


def expiry_hooks():
    """Callables returning the seconds a page rendered now may be kept (None: no limit)."""
    return [seconds_until_broadcast_change] if _syndication_installed() else []


def seconds_until_broadcast_change() -> int | None:
    from federation.syndication import broadcasts

    now = timezone.now()
    rows = broadcasts.held_broadcasts()  # the list this worker rendered from
    boundaries = [r["starts_at"] if r["starts_at"] > now else r["ends_at"] for r in rows]
    boundaries = [b for b in boundaries if b > now]
    if not boundaries:
        return None
    return max(0, int((min(boundaries) - now).total_seconds()))


def on_copies_changed(sender, schema, page_ids, **kwargs):
    from . import services

    for page_id in page_ids:
        services.purge_page(schema, page_id)


def connect():
    if not _syndication_installed():
        return
    from federation.syndication.signals import syndicated_copies_changed

    syndicated_copies_changed.connect(on_copies_changed, dispatch_uid="pagecache.copies")
