"""City-wide emergency broadcasts (I5): posted once on the portal, shown by every site.

Every page of every site asks `live_broadcasts()`: the list of broadcasts not yet ended, held
in the process for HOLD_SECONDS, for all sites at once (one indexed query on the public table
per process every HOLD_SECONDS, whatever the number of sites; the default cache would key it
per tenant). Start and end times are checked at read time. Posting, withdrawing, and each
start or end (the periodic `check_boundaries`) send `broadcasts_changed` after commit: the
page cache (pagecache.integrations) purges every site's pages on it.
"""

import time

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from security.audit.context import actor_name
from security.audit.services import record
from sites.disclosure.models import EmergencyRelease

from .models import Broadcast, BroadcastLogEntry, BroadcastRequest, WarningLevel
from .signals import broadcasts_changed

HOLD_SECONDS = 2


def post_broadcast(
    *, title, text, link, starts_at, ends_at, user=None, site=None, level=WarningLevel.RED
) -> Broadcast:
    broadcast = Broadcast(
        level=level,
        title=(title or "").strip(),
        text=(text or "").strip(),
        link=link,
        starts_at=starts_at,
        ends_at=ends_at,
        posted_by=actor_name(user),
    )
    broadcast.full_clean()
    if broadcast.ends_at <= broadcast.starts_at:
        raise ValidationError({"ends_at": "结束时间必须晚于开始时间。"})
    if broadcast.ends_at <= timezone.now():
        raise ValidationError({"ends_at": "结束时间已过，广播不会显示。"})
    with transaction.atomic():
        broadcast.save()
        BroadcastLogEntry.objects.create(
            broadcast=broadcast,
            action=BroadcastLogEntry.Action.POSTED,
            actor=broadcast.posted_by,
            site=site,
            detail={
                "title": broadcast.title,
                "level": broadcast.level,
                "text": broadcast.text,
                "link": link,
                "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat(),
            },
        )
        _audit(
            "broadcast.send",
            broadcast,
            user,
            f"{broadcast.get_level_display()}，"
            f"{broadcast.starts_at:%Y-%m-%d %H:%M} 至 {broadcast.ends_at:%Y-%m-%d %H:%M}",
        )
        _changed(broadcast)
    return broadcast


def withdraw_broadcast(broadcast, user=None, site=None) -> Broadcast:
    if broadcast.withdrawn_at:
        return broadcast
    with transaction.atomic():
        broadcast.withdrawn_at, broadcast.withdrawn_by = timezone.now(), actor_name(user)
        broadcast.save(update_fields=["withdrawn_at", "withdrawn_by"])
        BroadcastLogEntry.objects.create(
            broadcast=broadcast,
            action=BroadcastLogEntry.Action.WITHDRAWN,
            actor=broadcast.withdrawn_by,
            site=site,
        )
        _audit("broadcast.withdraw", broadcast, user, "")
        _changed(broadcast)
    return broadcast


# --- Banners asked for by an emergency item (sites.disclosure's fast path) -------------------

BANNER_HOURS = 24


def request_banner(*, site, page_key, title, text, link, level, user=None) -> BroadcastRequest:
    """An emergency item asks for the city-wide banner: it waits for the portal's approval.
    One request per item; asking again for a declined item asks again."""
    with transaction.atomic():
        req, created = BroadcastRequest.objects.get_or_create(
            page_key=page_key,
            defaults=dict(
                site=site,
                title=title[:100],
                text=text[:300],
                link=link,
                level=level,
                requested_by=actor_name(user),
            ),
        )
        asked_again = not created and req.status == BroadcastRequest.Status.DECLINED
        if asked_again:
            req.status, req.decided_by, req.decided_at = BroadcastRequest.Status.PENDING, "", None
            req.title, req.text, req.link, req.level = title[:100], text[:300], link, level
            req.save()
        if not (created or asked_again):
            return req
        record(
            "broadcast.request",
            obj=req,
            message=f"{req.get_level_display()}：{req.title}（{site.legal_name}）",
            user=user,
        )
    return req


def approve_request(req, user=None, site=None, hours=BANNER_HOURS) -> Broadcast:
    """The portal posts the requested banner (the caller checked two-factor and confirmation)."""
    if req.status == BroadcastRequest.Status.APPROVED and req.broadcast_id:
        return req.broadcast
    now = timezone.now()
    with transaction.atomic():
        broadcast = post_broadcast(
            title=req.title,
            text=req.text,
            link=req.link,
            level=req.level,
            starts_at=now - timezone.timedelta(seconds=1),
            ends_at=now + timezone.timedelta(hours=hours),
            user=user,
            site=site,
        )
        req.status, req.broadcast = BroadcastRequest.Status.APPROVED, broadcast
        req.decided_by, req.decided_at = actor_name(user), now
        req.save()
        _tell_release(req, EmergencyRelease.Banner.APPROVED)
    return broadcast


def decline_request(req, user=None) -> BroadcastRequest:
    if req.status != BroadcastRequest.Status.PENDING:
        return req
    req.status = BroadcastRequest.Status.DECLINED
    req.decided_by, req.decided_at = actor_name(user), timezone.now()
    req.save()
    _tell_release(req, EmergencyRelease.Banner.DECLINED)
    record("broadcast.request_declined", obj=req, message=req.title, user=user)
    return req


def _tell_release(req, banner) -> None:
    """The site's release record (its leader's 突发事件快速发布 list) shows the portal's
    decision, not "waiting" for ever. page_key is "<schema>:<page id>"."""
    schema, _, page_id = req.page_key.partition(":")
    if schema != req.site.schema_name or not page_id.isdigit():
        return
    with schema_context(schema):
        EmergencyRelease.objects.filter(
            page_id=int(page_id), banner=EmergencyRelease.Banner.REQUESTED
        ).update(banner=banner)


def _audit(event_type, broadcast, user, message):
    record(event_type, obj=broadcast, message=message, user=user)


def _changed(broadcast):
    def after_commit():
        forget_cache()
        broadcasts_changed.send_robust(sender=Broadcast, broadcast=broadcast)

    transaction.on_commit(after_commit)


def held_broadcasts() -> list[dict]:
    """The list this process renders banners from (for the page cache's expiry bound)."""
    return list(_held["rows"] or [])


BOUNDARY_WINDOW_SECONDS = 120


def check_boundaries(now=None) -> int:
    """Periodic: a broadcast that started or ended since the last run changes every page, with
    nothing written at that moment: announce it once per boundary (marked in the cache, so
    reruns and other processes' runs do nothing). Returns the boundaries crossed."""

    now = now or timezone.now()
    since = now - timezone.timedelta(seconds=BOUNDARY_WINDOW_SECONDS)
    crossed = 0
    for b in Broadcast.objects.filter(withdrawn_at__isnull=True).filter(
        models.Q(starts_at__gt=since, starts_at__lte=now)
        | models.Q(ends_at__gt=since, ends_at__lte=now)
    ):
        edge = "end" if since < b.ends_at <= now else "start"
        if cache.add(f"syndication:broadcast-edge:{b.pk}:{edge}", 1, BOUNDARY_WINDOW_SECONDS * 2):
            crossed += 1
            _changed(b)
    return crossed


_held = {"rows": None, "until": 0.0}


def forget_cache():
    """Drop this process's held list (others reload within HOLD_SECONDS)."""
    _held["rows"], _held["until"] = None, 0.0


def _load() -> list[dict]:
    # Every broadcast not withdrawn and not ended: a handful of rows, filtered by time on read.
    return list(
        Broadcast.objects.filter(withdrawn_at__isnull=True, ends_at__gt=timezone.now())
        .order_by("-starts_at")
        .values("pk", "level", "title", "text", "link", "starts_at", "ends_at")
    )


def live_broadcasts(at=None) -> list[dict]:
    """The broadcasts to show now, newest first: one indexed query per process per HOLD_SECONDS."""
    at = at or timezone.now()
    rows = _held["rows"]
    if rows is None or time.monotonic() >= _held["until"]:
        # The table is in the public schema, on every tenant's search_path: no schema switch.
        rows = _load()
        _held["rows"], _held["until"] = rows, time.monotonic() + HOLD_SECONDS
    return [r for r in rows if r["starts_at"] <= at < r["ends_at"]]
