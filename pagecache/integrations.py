"""Where the page cache meets content it cannot see change by itself: city-wide broadcasts.

A broadcast's banner is on every page of every site, and broadcasts live in the public schema
(federation.syndication), so no page signal tells the cache about them:
- `broadcasts_changed` (posted, withdrawn, or a start or end crossed by the clock): every cached
  page goes, at once and again once every process's held broadcast list has expired
  (broadcasts.HOLD_SECONDS): a page rendered meanwhile from a held list is orphaned too;
- a page is kept no longer than until the next start or end among the broadcasts the process
  rendering it knows (`seconds_until_broadcast_change`), so a banner appears and disappears on
  time even before the periodic boundary check runs.

Syndicated copies need nothing here: they are pages, published and unpublished through
Wagtail like any other, and the page signals (signals.py) purge them, once per change.
"""

import threading

from django.db import connection
from django.utils import timezone

from federation.syndication import broadcasts
from federation.syndication.signals import broadcasts_changed
from sites.interaction.signals import page_content_changed
from sites.presentation import chinese
from tenants.glossary.services import protected_terms_changed

from . import services, store

_timers: list[threading.Timer] = []


def on_broadcasts_changed(sender, **kwargs):
    _purge_all_twice(broadcasts.HOLD_SECONDS + 1)


def on_protected_terms_changed(sender, **kwargs):
    """The 繁體 conversion's protected nouns changed: every 繁體 copy is stale. This process
    forgets its terms now; others within chinese.TERMS_TTL, hence the second pass."""
    chinese.forget_protected_terms()
    _purge_all_twice(chinese.TERMS_TTL + 1)


def _purge_all_twice(hold_seconds: float) -> None:
    services.purge_all()
    # Second pass once every process's held list has expired (a thread of whichever process
    # sent the signal: a web process, a worker, the periodic runner). A cache write only: the
    # thread opens no database connection (purge_all would, to wait for a commit).
    timer = threading.Timer(hold_seconds, store.bump_all)
    timer.daemon = True
    _timers[:] = [t for t in _timers if t.is_alive()]  # only pending ones: a bounded list
    _timers.append(timer)
    timer.start()


def cancel_pending() -> None:
    """Cancel second passes not yet run (tests: one test's purge must not hit the next)."""
    while _timers:
        _timers.pop().cancel()


def seconds_until_broadcast_change() -> int | None:
    """How long a page rendered now may be kept: until the next start or end (None: no limit)."""
    now = timezone.now()
    rows = broadcasts.held_broadcasts()  # the list this process rendered from
    boundaries = [r["starts_at"] if r["starts_at"] > now else r["ends_at"] for r in rows]
    boundaries = [b for b in boundaries if b > now]
    if not boundaries:
        return None
    return max(0, int((min(boundaries) - now).total_seconds()))


def on_page_content_changed(sender, instance, **kwargs):
    """A page shows content that changed outside a revision (an approved post, a transcript
    line, a survey's feedback): purge it like a publication."""
    services.purge_page(connection.schema_name, instance)


def connect():
    broadcasts_changed.connect(on_broadcasts_changed, dispatch_uid="pagecache.broadcasts")
    page_content_changed.connect(on_page_content_changed, dispatch_uid="pagecache.interaction")
    protected_terms_changed.connect(on_protected_terms_changed, dispatch_uid="pagecache.terms")
