"""Where the page cache meets other apps' content that it cannot see change by itself.

The page cache is independent of them: each integration is connected only when its app is
installed, through that app's own signals and read-only helpers.

Syndication (federation.syndication):
- `syndicated_copies_changed(schema, page_ids)`: copies arrived, changed or were withdrawn
  on `schema` → `purge_page` for each (Wagtail's publish signals usually got there first;
  this also covers changes made without them).
- `broadcasts_changed(broadcast)`: a city-wide broadcast was posted or withdrawn → every
  site's pages show the banner → `purge_all()`, and once more after the broadcast list's
  per-process cache (broadcasts.CACHE_SECONDS) has expired everywhere, so that no worker
  re-caches a page rendered from its older list in between.
- Broadcasts start and end by the clock, with no write at that moment: a page is cached
  no longer than until the next start or end among the broadcasts its worker knows
  (`expiry_hooks`), so the banner appears and disappears on time.
"""

import logging
import threading

from django.apps import apps
from django.db import connection
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
    rows = broadcasts._shared["rows"] or []  # the list this worker rendered from
    boundaries = [r["starts_at"] if r["starts_at"] > now else r["ends_at"] for r in rows]
    boundaries = [b for b in boundaries if b > now]
    window = broadcasts.UPCOMING_WINDOW_SECONDS  # broadcasts further ahead are not in the list
    if not boundaries:
        return window
    return max(0, min(window, int((min(boundaries) - now).total_seconds())))


def on_copies_changed(sender, schema, page_ids, **kwargs):
    from . import services

    for page_id in page_ids:
        services.purge_page(schema, page_id)


def on_broadcasts_changed(sender, **kwargs):
    from federation.syndication import broadcasts

    from . import services

    services.purge_all()
    # A worker may still render from its older broadcast list for CACHE_SECONDS: purge again
    # after that, or its page without the banner could be cached until the timeout.
    timer = threading.Timer(broadcasts.CACHE_SECONDS + 1, _purge_all_now)
    timer.daemon = True
    _timers.append(timer)
    timer.start()


_timers: list[threading.Timer] = []


def cancel_pending() -> None:
    """Cancel second purges not yet run (tests, so one test's purge cannot hit the next)."""
    while _timers:
        _timers.pop().cancel()


def _purge_all_now():
    from . import store

    try:
        store.bump_all()
    except Exception:
        log.warning("page cache: second purge after a broadcast change failed", exc_info=True)
    finally:
        connection.close()  # this thread's database connection, if anything opened one


def connect():
    if not _syndication_installed():
        return
    from federation.syndication.signals import broadcasts_changed, syndicated_copies_changed

    syndicated_copies_changed.connect(on_copies_changed, dispatch_uid="pagecache.copies")
    broadcasts_changed.connect(on_broadcasts_changed, dispatch_uid="pagecache.broadcasts")
