"""Syndication's behaviour: offers, subscriptions, push-down, deliveries, following changes.

How an item travels (DESIGN.md, "The one flow", step 3 "apply syndication rules"):

    library_item_changed(item)                       (the library's task, in the source schema)
      └─ on_item_changed(): item withdrawn → every copy is withdrawn
                            item current   → offers (OfferRule), subscriptions, and existing
                                             deliveries are brought up to date
           └─ Delivery rows (public schema) + tasks.deliver(delivery_id) in each receiving
              site's schema, after commit (config.tasks.enqueue)
                └─ deliver(): create / update / unpublish the SyndicatedPage copy, idempotent
                   by library version (the copy's publish or unpublish purges its cached pages)
    sweep_deliveries() (Celery beat) re-sends deliveries whose task never ran or failed.

Curators act through accept_offer / decline_offer; the portal through push_down; receiving
webmasters through decline_delivery. Each of these only writes rows and enqueues deliveries.
"""

import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from config.tasks import enqueue, hand_on
from federation.library.models import LibraryItem
from tenants.models import Website

from . import rules
from .models import (
    Audience,
    Delivery,
    OfferRule,
    PushDown,
    RenderedBody,
    Subscription,
    SyndicationOffer,
)

log = logging.getLogger("jiyue.syndication")

SWEEP_GRACE = timedelta(seconds=30)
SWEEP_BATCH = 500
BACKFILL_LIMIT = 50
Status = Delivery.Status
OfferStatus = SyndicationOffer.Status


class SyndicationError(Exception):
    """A syndication action refused: the message says why, in words an editor understands."""


# --- Who is who --------------------------------------------------------------------------------

def portal() -> Website | None:
    """The city's portal: the one active site of kind portal (the oldest, if several)."""
    return (Website.objects.filter(kind=Website.Kind.PORTAL, status=Website.Status.ACTIVE)
            .order_by("pk").first())


def current_site() -> Website | None:
    """The site whose schema the connection is on (None for the public schema)."""
    schema = connection.schema_name
    if schema == get_public_schema_name():
        return None
    # In a request the middleware already loaded the site: no query per admin button.
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Website) and tenant.schema_name == schema:
        return tenant if tenant.is_site else None
    return Website.objects.filter(schema_name=schema, kind__in=Website.SITE_KINDS).first()


def actor(user) -> str:
    return getattr(user, "get_username", lambda: "")() or "system"


def audit(event_type: str, obj, message: str = "", user=None, **changes) -> None:
    """The site's audit trail (Z3): who offered, accepted, declined, pushed down."""
    from security.audit.services import record

    record(event_type, obj=obj, message=message[:500], user=user if getattr(user, "pk", None) else None,
           changes=changes or None)


def item_for_page(website, page) -> LibraryItem | None:
    return LibraryItem.objects.filter(item_key=f"{website.schema_name}:{page.translation_key}").first()


# --- Offering (the source site) ---------------------------------------------------------------

def offer_page(website, page, user=None) -> SyndicationOffer | None:
    """A source editor offers a published page to the portal.

    The offer is remembered as a rule, so it also holds when the library hears of the page a
    moment later (the library syncs after commit) and when the page is republished.
    """
    target = portal()
    if target is None:
        raise SyndicationError("平台上还没有门户网站，无法报送。")
    if website.pk == target.pk:
        raise SyndicationError("门户网站的信息无需报送给自己。")
    if getattr(page.specific, "syndication_key", None):
        raise SyndicationError("转载来的信息不能再报送，请报送原文。")
    if not page.live:
        raise SyndicationError("只有已发布的信息才能报送。")
    if page.get_view_restrictions().exists():
        raise SyndicationError("设置了访问限制的信息不能报送。")
    OfferRule.objects.get_or_create(
        site=website, page_key=page.translation_key,
        defaults={"scope": OfferRule.Scope.PAGE, "title": page.title[:255], "created_by": actor(user)},
    )
    audit("syndication.offer", page, f"报送{target.legal_name}", user)
    item = item_for_page(website, page)
    if item is None or item.withdrawn:
        return None  # on its way into the library: on_item_changed makes the offer
    return ensure_offer(item, target, offered_by=actor(user))


def set_column_offers_everything(website, column, enabled: bool, user=None) -> None:
    """A column's default: offer everything published under it (now and later) to the portal."""
    if enabled:
        OfferRule.objects.get_or_create(
            site=website, page_key=column.translation_key,
            defaults={"scope": OfferRule.Scope.COLUMN, "title": column.title[:255],
                      "created_by": actor(user)},
        )
    else:
        OfferRule.objects.filter(site=website, page_key=column.translation_key,
                                 scope=OfferRule.Scope.COLUMN).delete()


def column_offers_everything(website, column) -> bool:
    return OfferRule.objects.filter(site=website, page_key=column.translation_key,
                                    scope=OfferRule.Scope.COLUMN).exists()


def offered_by_rule(item) -> bool:
    """Is the item offered, by its own page's rule or by a column above it? (source schema)"""
    keys = set(OfferRule.objects.filter(site_id=item.site_id).values_list("page_key", flat=True))
    if not keys:
        return False
    from wagtail.models import Page

    with schema_context(item.site.schema_name):
        page = Page.objects.filter(pk=item.page_id).only("path", "depth", "translation_key").first()
        if page is None:
            return False
        if page.translation_key in keys:
            return True
        return Page.objects.ancestor_of(page).filter(translation_key__in=keys).exists()


def ensure_offer(item, target, *, subscription=None, offered_by="") -> SyndicationOffer:
    offer, created = SyndicationOffer.objects.get_or_create(
        item=item, target=target,
        defaults={"source": item.site, "subscription": subscription, "offered_by": offered_by},
    )
    if not created and offer.status == OfferStatus.WITHDRAWN:
        # Withdrawn with its original, now back: the curator sees it again.
        offer.status, offer.decided_by, offer.decided_at = OfferStatus.PENDING, "", None
        offer.save(update_fields=["status", "decided_by", "decided_at"])
    return offer


# --- The curator (the receiving site, normally the portal) -------------------------------------

def inbox(target):
    return (SyndicationOffer.objects.filter(target=target, status=OfferStatus.PENDING,
                                            item__withdrawn=False)
            .select_related("item", "source", "subscription").order_by("-created_at"))


def accept_offer(offer, column_slug: str, user=None) -> Delivery:
    if offer.status != OfferStatus.PENDING:
        raise SyndicationError(f"该报送已处理（{offer.get_status_display()}）。")
    if offer.item.withdrawn:
        raise SyndicationError("原文已撤下，不能采用。")
    if not column_slug:
        raise SyndicationError("请选择采用到的栏目。")
    with transaction.atomic():
        offer.status, offer.column_slug = OfferStatus.ACCEPTED, column_slug
        offer.decided_by, offer.decided_at = actor(user), timezone.now()
        offer.save(update_fields=["status", "column_slug", "decided_by", "decided_at"])
        audit("syndication.accept", offer, f"采用到栏目 {column_slug}", user,
              source=offer.source.legal_name, item=offer.item.item_key)
        return ensure_delivery(offer.item, offer.target, column_slug, Delivery.Origin.OFFER,
                               offer=offer, subscription=offer.subscription)


def decline_offer(offer, reason: str, user=None) -> SyndicationOffer:
    reason = (reason or "").strip()
    if not reason:
        raise SyndicationError("请填写未采用的理由，报送网站会看到它。")
    if offer.status != OfferStatus.PENDING:
        raise SyndicationError(f"该报送已处理（{offer.get_status_display()}）。")
    offer.status, offer.decline_reason = OfferStatus.DECLINED, reason[:2000]
    offer.decided_by, offer.decided_at = actor(user), timezone.now()
    offer.save(update_fields=["status", "decline_reason", "decided_by", "decided_at"])
    audit("syndication.reject", offer, offer.decline_reason, user, source=offer.source.legal_name,
          item=offer.item.item_key)
    return offer


# --- Subscriptions (栏目共建) -------------------------------------------------------------------

def matching_subscriptions(item):
    subs = list(Subscription.objects.filter(active=True).exclude(target_id=item.site_id)
                .select_related("target").prefetch_related("sources"))
    return [s for s in subs
            if rules.subscription_matches(s, item, [w.pk for w in s.sources.all()])]


def apply_subscription(subscription, item) -> None:
    if subscription.requires_review:
        ensure_offer(item, subscription.target, subscription=subscription, offered_by="栏目共建")
    else:
        ensure_delivery(item, subscription.target, subscription.column_slug,
                        Delivery.Origin.SUBSCRIPTION, subscription=subscription)


def backfill_subscription(subscription, limit: int = BACKFILL_LIMIT) -> int:
    """Bring a new subscription the latest matching items already in the library."""
    sources = [w.pk for w in subscription.sources.all()]
    candidates = (LibraryItem.objects.filter(withdrawn=False, site__status=Website.Status.ACTIVE)
                  .exclude(site=subscription.target).select_related("site")
                  .order_by("-published_at"))
    if subscription.item_types:
        candidates = candidates.filter(item_type__in=subscription.item_types)
    if subscription.categories:
        candidates = candidates.filter(category__in=subscription.categories)
    if subscription.audience == Audience.CHOSEN:
        candidates = candidates.filter(site_id__in=sources)
    else:
        candidates = candidates.filter(site__kind__in=rules.KINDS_BY_AUDIENCE[subscription.audience])
    applied = 0
    for item in candidates[:limit]:
        if rules.subscription_matches(subscription, item, sources):
            apply_subscription(subscription, item)
            applied += 1
    return applied


# --- Push-down (下发) ---------------------------------------------------------------------------

def push_down(item, *, audience: str, column_slug: str, mandatory: bool = True, sites=(),
              user=None) -> PushDown:
    if item.withdrawn:
        raise SyndicationError("该信息已撤下，不能下发。")
    if audience not in Audience.values:
        raise SyndicationError(f"未知的下发范围“{audience}”。")
    if audience == Audience.CHOSEN and not sites:
        raise SyndicationError("请选择至少一个接收网站。")
    if not column_slug:
        raise SyndicationError("请填写接收栏目（各网站的栏目标识，如 tzgg）。")
    with transaction.atomic():
        record = PushDown.objects.create(item=item, audience=audience, column_slug=column_slug,
                                         mandatory=mandatory, created_by=actor(user))
        if audience == Audience.CHOSEN:
            record.sites.set(sites)
        for target in rules.audience_sites(audience, sites, exclude=item.site):
            ensure_delivery(item, target, column_slug, Delivery.Origin.PUSH_DOWN,
                            push_down=record, mandatory=mandatory)
        audit("syndication.push", record, f"{record.get_audience_display()} · 栏目 {column_slug}",
              user, mandatory=mandatory, item=item.item_key)
    return record


# --- Deliveries ---------------------------------------------------------------------------------

def ensure_delivery(item, target, column_slug, origin, *, offer=None, subscription=None,
                    push_down=None, mandatory=False) -> Delivery:
    """The desired copy of `item` on `target`, and its task. One delivery per (item, site)."""
    if target.pk == item.site_id:
        raise SyndicationError("信息不能转载到它自己的网站。")
    delivery, created = Delivery.objects.get_or_create(
        item=item, target=target,
        defaults={"column_slug": column_slug, "origin": origin, "offer": offer,
                  "subscription": subscription, "push_down": push_down, "mandatory": mandatory},
    )
    if not created:
        if delivery.status == Status.DECLINED and not mandatory:
            return delivery  # the receiving site said no; only a mandatory push-down overrides
        changed = []
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
    from .rendering import render_item_body

    html = render_item_body(item)
    rendered, _ = RenderedBody.objects.update_or_create(
        item=item, defaults={"version": item.version, "html": html})
    return rendered


FROZEN_NOTE = "接收网站已被应急冻结（只读），解冻后自动投递。"


def deliver(delivery_id: int) -> str:
    """Make the copy on this (receiving) site match its delivery and item. Idempotent.

    Runs in the receiving site's schema. Returns what it did, for logs and tests.
    """
    from sites.syndicated.models import SyndicatedPage

    with transaction.atomic():
        delivery = (Delivery.objects.select_for_update(of=("self",))
                    .select_related("item", "item__site", "target").filter(pk=delivery_id).first())
        if delivery is None:
            return "gone"
        if connection.schema_name != delivery.target.schema_name:
            raise RuntimeError(f"delivery {delivery_id} is for {delivery.target.schema_name} but "
                               f"ran in {connection.schema_name}")
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
                copy.unpublish()
            else:
                outcome = "already withdrawn"
            if delivery.status != Status.DECLINED:
                delivery.status = Status.WITHDRAWN
            delivery.last_error = ""
            delivery.save()
            return outcome
        if (delivery.status == Status.DELIVERED and copy is not None and copy.live
                and delivery.delivered_version >= item.version):
            delivery.save(update_fields=["attempts", "last_attempt_at"])
            return "up to date"
        column = find_column(delivery.column_slug)
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


def _shows(copy, fields) -> bool:
    """Does the copy already show these fields (all but the version it was made from)?"""
    return all(getattr(copy, name) == value for name, value in fields.items()
               if name != "library_version")


def copy_fields(delivery, item, body_html) -> dict:
    from django.utils.timezone import localdate

    published = item.published_at or item.first_published_at or timezone.now()
    return {
        "title": item.title, "date": localdate(published), "summary": item.summary[:300],
        "source": item.site.legal_name[:100], "source_site_name": item.site.legal_name[:100],
        "source_url": item.url, "body_html": body_html, "library_version": item.version,
        "origin": delivery.origin, "mandatory": delivery.mandatory,
        "syndication_key": item.item_key,
    }


def copy_slug(item, column) -> str:
    from django.utils.text import slugify

    base = slugify(f"{item.site.schema_name}-{item.page_id}") or "zz"
    slug, n = base, 1
    while column.get_children().filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def find_column(slug: str):
    """A column of this site by its slug; the shallowest when nested columns share one."""
    from sites.core.models import ColumnPage

    return ColumnPage.objects.filter(slug=slug).order_by("depth", "path").first()


def decline_delivery(delivery, reason: str, user=None) -> Delivery:
    """The receiving webmaster declines an optional copy: it is unpublished and stays so."""
    if delivery.mandatory:
        raise SyndicationError("这是必须转载的信息，不能退回。")
    if delivery.status == Status.DECLINED:
        return delivery
    delivery.status, delivery.declined_by = Status.DECLINED, actor(user)
    delivery.decline_reason = (reason or "").strip()[:2000]
    delivery.save(update_fields=["status", "declined_by", "decline_reason", "updated_at"])
    audit("syndication.withdraw", delivery, delivery.decline_reason or "退回转载信息", user,
          item=delivery.item.item_key)
    send_delivery(delivery)
    return delivery


# --- Following changes of the original ---------------------------------------------------------

def on_item_changed(item, event: str = "") -> None:
    """React to a library change (the library's task, usually in the source's schema)."""
    if item.withdrawn:
        withdraw_item(item)
        return
    target = portal()
    if target is not None and target.pk != item.site_id and offered_by_rule(item):
        ensure_offer(item, target, offered_by="报送设置")
    for subscription in matching_subscriptions(item):
        apply_subscription(subscription, item)
    deliveries = list(item.deliveries.exclude(status=Status.DECLINED).select_related("target"))
    if deliveries:
        render_body(item)  # once here, in the source's schema, not once per receiving site
    for delivery in deliveries:
        send_delivery(delivery)


def withdraw_item(item) -> int:
    SyndicationOffer.objects.filter(item=item, status=OfferStatus.PENDING).update(
        status=OfferStatus.WITHDRAWN)
    deliveries = list(item.deliveries.filter(status__in=[Status.PENDING, Status.DELIVERED,
                                                         Status.FAILED]).select_related("target"))
    for delivery in deliveries:
        send_delivery(delivery)
    return len(deliveries)


# --- The sweep ----------------------------------------------------------------------------------

def stale_deliveries(older_than: timedelta = SWEEP_GRACE):
    """Deliveries whose copy does not (yet) match: never delivered, behind the item's version,
    or still live although the original was withdrawn."""
    now = timezone.now()
    behind = (Q(status=Status.PENDING)
              | Q(status=Status.DELIVERED, delivered_version__lt=F("item__version"))
              | Q(status=Status.DELIVERED, item__withdrawn=True)
              | Q(status=Status.DELIVERED, item__site__status__in=[Website.Status.SUSPENDED,
                                                                   Website.Status.ARCHIVED]))
    return (Delivery.objects.filter(behind)
            .filter(Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lte=now - older_than))
            .filter(Q(updated_at__lte=now - older_than))
            .select_related("target").order_by("pk"))


def sweep_deliveries(older_than: timedelta = SWEEP_GRACE, limit: int = SWEEP_BATCH) -> int:
    """Re-send deliveries whose task never ran (broker down, worker killed) or failed."""
    from .tasks import deliver as deliver_task  # tasks imports this module

    with schema_context(get_public_schema_name()):
        rows = list(stale_deliveries(older_than)[:limit])
        Delivery.objects.filter(pk__in=[r.pk for r in rows]).update(last_attempt_at=timezone.now())
    return hand_on(deliver_task, rows, schema=lambda row: row.target.schema_name,
                   args=lambda row: [row.pk])


def record_failure(delivery_id: int, exc: Exception) -> None:
    Delivery.objects.filter(pk=delivery_id).update(
        last_error=f"{type(exc).__name__}: {exc}"[:2000], last_attempt_at=timezone.now())


def validate_column_slug(target, slug: str) -> None:
    with schema_context(target.schema_name):
        if find_column(slug) is None:
            raise ValidationError(f"{target.short_name} 没有标识为“{slug}”的栏目。")
