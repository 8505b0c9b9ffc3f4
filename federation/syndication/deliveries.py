"""Deliveries: one item's copy on one receiving site, made, kept up to date and withdrawn.

ensure_delivery()  the desired copy (one Delivery row per item and receiving site) and
                   its task, after commit, in the receiving site's schema
deliver()          (the task) create / update / unpublish the SyndicatedPage copy,
                   idempotent by library version; publishing or unpublishing the copy is
                   what purges its cached pages (the page cache follows page signals)
sweep_deliveries() (periodic) re-sends deliveries whose task never ran or failed
"""

import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify
from django_tenants.utils import get_public_schema_name, schema_context

from config.tasks import enqueue, hand_on
from security.audit.context import actor_name
from security.audit.services import record
from shared_blocks.sanitize import clean_body_html
from sites.core.models import ColumnPage
from sites.syndicated.models import SyndicatedPage
from tenants.models import Website

from . import rules
from .models import Delivery, RenderedBody, SyndicationOffer
from .rendering import render_item_bodies, render_item_body
from .rules import SyndicationError

log = logging.getLogger("jiyue.syndication")

SWEEP_GRACE = timedelta(seconds=30)
SWEEP_BATCH = 500
Status = Delivery.Status
FROZEN_NOTE = "接收网站已被应急冻结（只读），解冻后自动投递。"


def ensure_delivery(
    item,
    target,
    column_slug,
    origin,
    *,
    offer=None,
    subscription=None,
    push_down=None,
    mandatory=False,
) -> Delivery:
    """The desired copy of `item` on `target`, and its task. One delivery per (item, site)."""
    if target.pk == item.site_id:
        raise SyndicationError("信息不能转载到它自己的网站。")
    delivery, created = Delivery.objects.get_or_create(
        item=item,
        target=target,
        defaults={
            "column_slug": column_slug,
            "origin": origin,
            "offer": offer,
            "subscription": subscription,
            "push_down": push_down,
            "mandatory": mandatory,
        },
    )
    if not created:
        if delivery.status == Status.DECLINED and not mandatory:
            return delivery  # the receiving site said no; only a mandatory push-down overrides
        changed = []
        if offer is not None and not delivery.mandatory:
            # The curator accepted an offer into a column: the copy goes there, even when a
            # subscription delivered it into its own column first (deliver moves the copy).
            if delivery.column_slug != column_slug:
                delivery.column_slug = column_slug
                changed.append("column_slug")
            if delivery.offer_id != offer.pk:
                delivery.offer, delivery.origin = offer, Delivery.Origin.OFFER
                changed += ["offer", "origin"]
        if mandatory and not delivery.mandatory:
            delivery.mandatory, delivery.push_down = True, push_down
            delivery.origin = Delivery.Origin.PUSH_DOWN
            changed += ["mandatory", "push_down", "origin"]
        if delivery.status in (Status.DECLINED, Status.FAILED):
            delivery.status = Status.PENDING
            changed.append("status")
        if changed:
            delivery.save(update_fields=[*changed, "updated_at"])
    send_delivery(delivery)
    return delivery


def send_delivery(delivery) -> None:
    from .tasks import deliver  # tasks imports this module

    # recoverable: the Delivery row is the durable record; sweep_deliveries re-sends it.
    enqueue(deliver, delivery.pk, schema=delivery.target.schema_name, recoverable=True)


def render_body(item) -> RenderedBody:
    """The item's body for copies, rendered once per library version."""
    rendered = RenderedBody.objects.filter(item=item).first()
    if rendered is not None and rendered.version >= item.version:
        return rendered
    html = render_item_body(item)
    rendered, _ = RenderedBody.objects.update_or_create(
        item=item, defaults={"version": item.version, "html": html}
    )
    return rendered


def render_bodies(items) -> None:
    """`render_body` for many items of one site: the stored bodies and the pages read in one
    query each, the new bodies written in one statement."""
    if not items:
        return
    stored = dict(RenderedBody.objects.filter(item__in=items).values_list("item_id", "version"))
    stale = [item for item in items if stored.get(item.pk, -1) < item.version]
    if not stale:
        return
    html = render_item_bodies(stale)
    RenderedBody.objects.bulk_create(
        [RenderedBody(item=item, version=item.version, html=html[item.pk]) for item in stale],
        update_conflicts=True,
        unique_fields=["item"],
        update_fields=["version", "html", "rendered_at"],
    )


def deliver(delivery_id: int) -> str:
    """Make the copy on this (receiving) site match its delivery and item. Idempotent.

    Runs in the receiving site's schema. Returns what it did, for logs and tests.
    """
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("item", "item__site", "target")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return "gone"
        if connection.schema_name != delivery.target.schema_name:
            raise RuntimeError(
                f"delivery {delivery_id} is for {delivery.target.schema_name} but "
                f"ran in {connection.schema_name}"
            )
        if delivery.target.frozen_at:
            # Emergency read-only mode refuses every write, ours too: the delivery (a platform
            # record, not the site's) stays pending, and the sweep sends it again until the
            # site is unfrozen. The reason shows in the syndication report.
            Delivery.objects.filter(pk=delivery.pk).update(last_error=FROZEN_NOTE)
            return "site frozen"
        item = delivery.item
        copy = SyndicatedPage.objects.filter(syndication_key=item.item_key).first()
        delivery.attempts += 1
        delivery.last_attempt_at = timezone.now()
        if not rules.copy_should_be_live(delivery):
            outcome = "withdrawn"
            if copy is not None and copy.live:
                hold_site_for_copies(delivery.target)
                copy.unpublish()
            else:
                outcome = "already withdrawn"
            if delivery.status != Status.DECLINED:
                delivery.status = Status.WITHDRAWN
            delivery.last_error = ""
            delivery.save()
            return outcome
        column = find_column(delivery.column_slug)
        if copy is not None and column is not None and not _is_child_of(copy, column):
            hold_site_for_copies(delivery.target)
            # Its column changed (an accepted offer of an item a subscription brought in).
            copy.move(column, pos="last-child")
            copy = SyndicatedPage.objects.get(pk=copy.pk)
            moved = True
        else:
            moved = False
        if (
            not moved
            and delivery.status == Status.DELIVERED
            and copy is not None
            and copy.live
            and delivery.delivered_version >= item.version
        ):
            delivery.save(update_fields=["attempts", "last_attempt_at"])
            return "up to date"
        if column is None and copy is None:
            delivery.status = Status.FAILED
            delivery.last_error = f"本站没有标识为“{delivery.column_slug}”的栏目。"
            delivery.save()
            return "no column"
        rendered = render_body(item)
        fields = copy_fields(delivery, item, rendered.html)
        if copy is not None and copy.live and _shows(copy, fields):
            # A new library version with the same content (a resync, a move at the source):
            # record it, without a new revision of the copy nor a cache purge.
            SyndicatedPage.objects.filter(pk=copy.pk).update(library_version=item.version)
            delivery.copy_page_id, delivery.delivered_version = copy.pk, item.version
            delivery.status, delivery.last_error = Status.DELIVERED, ""
            delivery.save()
            return "unchanged"
        hold_site_for_copies(delivery.target)
        if copy is None:
            copy = SyndicatedPage(slug=copy_slug(item, column), **fields)
            column.add_child(instance=copy)
            outcome = "created"
        else:
            for name, value in fields.items():
                setattr(copy, name, value)
            outcome = "updated"
        copy.save_revision().publish()
        if delivery.mandatory and not copy.locked:
            # Wagtail's own lock shows editors the copy is not theirs to change (publishing
            # keeps a page's lock fields from its row, so it is set on the row); the
            # before_edit_page hook (sites.syndicated) refuses edits even by superusers.
            SyndicatedPage.objects.filter(pk=copy.pk).update(locked=True, locked_at=timezone.now())
        delivery.copy_page_id = copy.pk
        delivery.delivered_version = item.version
        delivery.status = Status.DELIVERED
        delivery.last_error = ""
        delivery.save()
    return outcome


# The first key of the advisory lock a receiving site's copies are written under.
COPY_LOCK_CLASS = 71918


def hold_site_for_copies(target) -> None:
    """Wait until no other delivery is writing a copy into `target`, and keep it so until this
    transaction ends. Two copies saved at once in one site deadlocked in the worker's two
    processes (seen in the bench's import): every page save makes Wagtail's search backend
    (modelsearch's `_refresh_title_norms`) update all of the site's index rows, and a new copy
    updates its column's row in the page tree. The loser's transaction was broken and its
    delivery waited for the sweep. Copies into different sites still go in parallel."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
            [COPY_LOCK_CLASS, target.schema_name],
        )


def _is_child_of(page, column) -> bool:
    return page.path.startswith(column.path) and page.depth == column.depth + 1


def _shows(copy, fields) -> bool:
    """Does the copy already show these fields (all but the version it was made from)?"""
    return all(
        getattr(copy, name) == value for name, value in fields.items() if name != "library_version"
    )


def copy_fields(delivery, item, body_html) -> dict:
    published = item.published_at or item.first_published_at or timezone.now()
    return {
        "title": item.title,
        "date": timezone.localdate(published),
        "summary": item.summary[:300],
        "source": item.site.legal_name[:100],
        "source_site_name": item.site.legal_name[:100],
        "source_url": item.url,
        # Cleaned again on this side: the rendered body is a shared row any site's code could write.
        "body_html": clean_body_html(body_html),
        "library_version": item.version,
        "origin": delivery.origin,
        "mandatory": delivery.mandatory,
        "syndication_key": item.item_key,
    }


def copy_slug(item, column) -> str:
    base = slugify(f"{item.site.schema_name}-{item.page_id}") or "zz"
    slug, n = base, 1
    while column.get_children().filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def find_column(slug: str):
    """A column of this site by its slug; the shallowest when nested columns share one."""
    return ColumnPage.objects.filter(slug=slug).order_by("depth", "path").first()


def validate_column_slug(target, slug: str) -> None:
    with schema_context(target.schema_name):
        if find_column(slug) is None:
            raise ValidationError(f"{target.short_name} 没有标识为“{slug}”的栏目。")


def decline_delivery(delivery, reason: str, user=None) -> Delivery:
    """The receiving webmaster declines an optional copy: it is unpublished and stays so."""
    if delivery.mandatory:
        raise SyndicationError("这是必须转载的信息，不能退回。")
    if delivery.status == Status.DECLINED:
        return delivery
    delivery.status, delivery.declined_by = Status.DECLINED, actor_name(user)
    delivery.decline_reason = (reason or "").strip()[:2000]
    delivery.save(update_fields=["status", "declined_by", "decline_reason", "updated_at"])
    record(
        "syndication.withdraw",
        obj=delivery,
        message=delivery.decline_reason or "退回转载信息",
        user=user,
        changes={"item": delivery.item.item_key},
    )
    send_delivery(delivery)
    return delivery


def withdraw_item(item) -> int:
    SyndicationOffer.objects.filter(item=item, status=SyndicationOffer.Status.PENDING).update(
        status=SyndicationOffer.Status.WITHDRAWN
    )
    deliveries = list(
        item.deliveries.filter(
            status__in=[Status.PENDING, Status.DELIVERED, Status.FAILED]
        ).select_related("target")
    )
    for delivery in deliveries:
        send_delivery(delivery)
    return len(deliveries)


def stale_deliveries(older_than: timedelta = SWEEP_GRACE):
    """Deliveries whose copy does not (yet) match: never delivered, behind the item's version,
    or still live although the original was withdrawn."""
    now = timezone.now()
    behind = (
        Q(status=Status.PENDING)
        | Q(status=Status.DELIVERED, delivered_version__lt=F("item__version"))
        | Q(status=Status.DELIVERED, item__withdrawn=True)
        | Q(
            status=Status.DELIVERED,
            item__site__status__in=[Website.Status.SUSPENDED, Website.Status.ARCHIVED],
        )
    )
    return (
        Delivery.objects.filter(behind)
        .filter(Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lte=now - older_than))
        .filter(Q(updated_at__lte=now - older_than))
        .select_related("target")
        .order_by("pk")
    )


def sweep_deliveries(older_than: timedelta = SWEEP_GRACE, limit: int = SWEEP_BATCH) -> int:
    """Re-send deliveries whose task never ran (broker down, worker killed) or failed."""
    from .tasks import deliver as deliver_task  # tasks imports this module

    with schema_context(get_public_schema_name()):
        rows = list(stale_deliveries(older_than)[:limit])
        Delivery.objects.filter(pk__in=[r.pk for r in rows]).update(last_attempt_at=timezone.now())
    return hand_on(
        deliver_task, rows, schema=lambda row: row.target.schema_name, args=lambda row: [row.pk]
    )


def record_failure(delivery_id: int, exc: Exception) -> None:
    Delivery.objects.filter(pk=delivery_id).update(
        last_error=f"{type(exc).__name__}: {exc}"[:2000], last_attempt_at=timezone.now()
    )
