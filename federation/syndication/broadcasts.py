"""City-wide emergency broadcasts (I5): posted once on the portal, shown by every site.

Every page of every site asks `live_broadcasts()`: the list of broadcasts not yet ended, held
in the process for HOLD_SECONDS, for all sites at once (one indexed query on the public table
per process every HOLD_SECONDS, whatever the number of sites; the default cache would key it
per tenant). Start and end times are checked at read time. Posting, withdrawing, and each
start or end (the beat task `purge_at_boundaries`) purge every site's page cache twice: at
once, and again when every process's held list has expired, so no page stays cached with a
stale banner.
"""

import threading
import time

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from .models import Broadcast, BroadcastLogEntry
from .signals import broadcasts_changed

HOLD_SECONDS = 2


def post_broadcast(*, title, text, link, starts_at, ends_at, user=None, site=None) -> Broadcast:
    from .services import actor

    broadcast = Broadcast(title=(title or "").strip(), text=(text or "").strip(), link=link,
                          starts_at=starts_at, ends_at=ends_at, posted_by=actor(user))
    broadcast.full_clean()
    if broadcast.ends_at <= broadcast.starts_at:
        raise ValidationError({"ends_at": "结束时间必须晚于开始时间。"})
    if broadcast.ends_at <= timezone.now():
        raise ValidationError({"ends_at": "结束时间已过，广播不会显示。"})
    with transaction.atomic():
        broadcast.save()
        BroadcastLogEntry.objects.create(
            broadcast=broadcast, action=BroadcastLogEntry.Action.POSTED, actor=broadcast.posted_by,
            site=site, detail={"title": broadcast.title, "text": broadcast.text, "link": link,
                               "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()},
        )
        _audit("broadcast.send", broadcast, user, f"{broadcast.starts_at:%Y-%m-%d %H:%M} 至 {broadcast.ends_at:%Y-%m-%d %H:%M}")
        _changed(broadcast)
    return broadcast


def withdraw_broadcast(broadcast, user=None, site=None) -> Broadcast:
    from .services import actor

    if broadcast.withdrawn_at:
        return broadcast
    with transaction.atomic():
        broadcast.withdrawn_at, broadcast.withdrawn_by = timezone.now(), actor(user)
        broadcast.save(update_fields=["withdrawn_at", "withdrawn_by"])
        BroadcastLogEntry.objects.create(broadcast=broadcast, action=BroadcastLogEntry.Action.WITHDRAWN,
                                         actor=broadcast.withdrawn_by, site=site)
        _audit("broadcast.withdraw", broadcast, user, "")
        _changed(broadcast)
    return broadcast


def _audit(event_type, broadcast, user, message):
    from .services import audit

    audit(event_type, broadcast, message, user)


def _changed(broadcast):
    def after_commit():
        forget_cache()
        schemas = purge_every_site()
        # Second pass once every process's held list has expired: a page rendered meanwhile
        # from a held (or a just-loaded, pre-commit) list is orphaned by the new generation.
        timer = threading.Timer(HOLD_SECONDS + 1, _second_pass, args=[schemas])
        timer.daemon = True
        _timers.append(timer)
        timer.start()
        broadcasts_changed.send_robust(sender=Broadcast, broadcast=broadcast)

    transaction.on_commit(after_commit)


_timers: list[threading.Timer] = []


def cancel_pending() -> None:
    """Cancel second passes not yet run (tests: one test's purge must not hit the next)."""
    while _timers:
        _timers.pop().cancel()


def held_broadcasts() -> list[dict]:
    """The list this process renders banners from (for the page cache's expiry bound)."""
    return list(_held["rows"] or [])


def _second_pass(schemas):
    from sites.pagecache.services import purge_site

    forget_cache()
    for schema in schemas:
        purge_site(schema)  # cache writes only: no database in this thread


def purge_every_site() -> list[str]:
    """The banner is part of every page of every site: cached pages must go (sites.pagecache)."""
    from sites.pagecache.services import purge_site
    from tenants.models import Website

    schemas = list(Website.objects.filter(kind__in=Website.SITE_KINDS)
                   .values_list("schema_name", flat=True))
    for schema in schemas:
        purge_site(schema)
    return schemas


BOUNDARY_WINDOW_SECONDS = 120


def purge_at_boundaries(now=None) -> int:
    """Periodic (beat): a broadcast that started or ended since the last run changes every
    page; purge every site once per boundary (marked in the cache so reruns do nothing)."""
    from django.core.cache import cache

    now = now or timezone.now()
    since = now - timezone.timedelta(seconds=BOUNDARY_WINDOW_SECONDS)
    crossed = []
    for b in Broadcast.objects.filter(withdrawn_at__isnull=True).filter(
            models.Q(starts_at__gt=since, starts_at__lte=now) | models.Q(ends_at__gt=since, ends_at__lte=now)):
        edge = "end" if since < b.ends_at <= now else "start"
        if cache.add(f"syndication:broadcast-edge:{b.pk}:{edge}", 1, BOUNDARY_WINDOW_SECONDS * 2):
            crossed.append(b)
    if crossed:
        forget_cache()
        schemas = purge_every_site()
        time.sleep(HOLD_SECONDS + 1)  # the beat's own worker: a second pass, as in _changed
        _second_pass(schemas)
    return len(crossed)


_held = {"rows": None, "until": 0.0}


def forget_cache():
    """Drop this process's held list (others reload within HOLD_SECONDS)."""
    _held["rows"], _held["until"] = None, 0.0


def _load() -> list[dict]:
    # Every broadcast not withdrawn and not ended: a handful of rows, filtered by time on read.
    return list(Broadcast.objects.filter(withdrawn_at__isnull=True, ends_at__gt=timezone.now())
                .order_by("-starts_at").values("pk", "title", "text", "link", "starts_at", "ends_at"))


def live_broadcasts(at=None) -> list[dict]:
    """The broadcasts to show now, newest first: one indexed query per process per HOLD_SECONDS."""
    at = at or timezone.now()
    rows = _held["rows"]
    if rows is None or time.monotonic() >= _held["until"]:
        # The table is in the public schema, on every tenant's search_path: no schema switch.
        rows = _load()
        _held["rows"], _held["until"] = rows, time.monotonic() + HOLD_SECONDS
    return [r for r in rows if r["starts_at"] <= at < r["ends_at"]]
