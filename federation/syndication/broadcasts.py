"""City-wide emergency broadcasts (I5): posted once on the portal, shown by every site.

Every page of every site asks `live_broadcasts()`. The answer is one small list held in the
process for CACHE_SECONDS, for all sites at once: one indexed query on the public table per
process every few seconds, whatever the number of sites (the Django cache would key it per
tenant, and switching to the public schema for it costs a `SET search_path` per page view).
A post or withdrawal clears this process's copy at once; other processes (gunicorn workers)
follow within CACHE_SECONDS. Start and end times are checked at read time, so a broadcast
appears and disappears on time even from the held list.
"""

import time

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from .models import Broadcast, BroadcastLogEntry
from .signals import broadcasts_changed

CACHE_SECONDS = 1
UPCOMING_WINDOW_SECONDS = 3600


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
        purge_every_site()
        broadcasts_changed.send_robust(sender=Broadcast, broadcast=broadcast)

    transaction.on_commit(after_commit)


def purge_every_site() -> int:
    """The banner is part of every page of every site: cached pages must go (sites.pagecache)."""
    from sites.pagecache.services import purge_site
    from tenants.models import Website

    schemas = list(Website.objects.filter(kind__in=Website.SITE_KINDS)
                   .values_list("schema_name", flat=True))
    for schema in schemas:
        purge_site(schema)
    return len(schemas)


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
        purge_every_site()
    return len(crossed)


_shared = {"rows": None, "until": 0.0}


def forget_cache():
    _shared["rows"], _shared["until"] = None, 0.0


def _load() -> list[dict]:
    now = timezone.now()
    # Live now, or starting within the window: the cache then also serves the start on time.
    rows = (Broadcast.objects.filter(withdrawn_at__isnull=True, ends_at__gt=now,
                                     starts_at__lte=now + timezone.timedelta(seconds=UPCOMING_WINDOW_SECONDS))
            .order_by("-starts_at").values("pk", "title", "text", "link", "starts_at", "ends_at"))
    return list(rows)


def live_broadcasts(at=None) -> list[dict]:
    """The broadcasts to show now, newest first. One cache read per page view."""
    at = at or timezone.now()
    rows, until = _shared["rows"], _shared["until"]
    if rows is None or time.monotonic() >= until:
        # The table is in the public schema, on every tenant's search_path: no schema switch.
        rows = _load()
        _shared["rows"], _shared["until"] = rows, time.monotonic() + CACHE_SECONDS
    return [r for r in rows if r["starts_at"] <= at < r["ends_at"]]
