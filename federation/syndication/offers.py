"""Offers (报送): a site offers its items to the portal, the portal's curator accepts them
into a column (a delivery) or declines them with a reason the offering site sees."""

from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context
from wagtail.models import Page

from federation.library.models import ItemType
from federation.library.services import item_for_page
from security.audit.context import actor_name
from security.audit.services import record
from tenants.models import Website

from .deliveries import ensure_delivery
from .models import Delivery, OfferRule, SyndicationOffer
from .notifications import notify_offer
from .rules import SyndicationError

OfferStatus = SyndicationOffer.Status


def offer_page(website, page, user=None) -> SyndicationOffer | None:
    """A source editor offers a published page to the portal.

    The offer is remembered as a rule, so it also holds when the library hears of the page a
    moment later (the library syncs after commit) and when the page is republished.
    """
    target = Website.objects.portal()
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
    _page_rule(website, page, user)
    record("syndication.offer", obj=page, message=f"报送{target.legal_name}", user=user)
    item = item_for_page(website, page)
    if item is None or item.withdrawn:
        return None  # on its way into the library: on_item_changed makes the offer
    return ensure_offer(item, target, offered_by=actor_name(user))


def _page_rule(website, page, user):
    OfferRule.objects.get_or_create(
        site=website,
        page_key=page.translation_key,
        defaults={
            "scope": OfferRule.Scope.PAGE,
            "title": page.title[:255],
            "created_by": actor_name(user),
        },
    )


def remember_offer(website, page, user=None) -> None:
    """Offer a page that is not live yet (scheduled): the rule makes the offer when it is."""
    target = Website.objects.portal()
    if target is None:
        raise SyndicationError("平台上还没有门户网站，无法报送。")
    if website.pk == target.pk:
        raise SyndicationError("门户网站的信息无需报送给自己。")
    _page_rule(website, page, user)
    record("syndication.offer", obj=page, message=f"发布后报送{target.legal_name}", user=user)


def default_column(offer, column_slugs) -> str:
    """The column an offer lands in unless the curator picks another: its subscription's, or
    for a district's news the portal's 区县动态 (SYNDICATION_DISTRICT_NEWS_COLUMN)."""
    if offer.subscription_id and offer.subscription.column_slug in column_slugs:
        return offer.subscription.column_slug
    district_news = getattr(settings, "SYNDICATION_DISTRICT_NEWS_COLUMN", "qxdt")
    if (
        offer.source.kind == Website.Kind.DISTRICT
        and offer.item.item_type == ItemType.NEWS
        and district_news in column_slugs
    ):
        return district_news
    return ""


def set_column_offers_everything(website, column, enabled: bool, user=None) -> None:
    """A column's default: offer everything published under it (now and later) to the portal."""
    if enabled:
        OfferRule.objects.get_or_create(
            site=website,
            page_key=column.translation_key,
            defaults={
                "scope": OfferRule.Scope.COLUMN,
                "title": column.title[:255],
                "created_by": actor_name(user),
            },
        )
    else:
        OfferRule.objects.filter(
            site=website, page_key=column.translation_key, scope=OfferRule.Scope.COLUMN
        ).delete()


def column_offers_everything(website, column) -> bool:
    return OfferRule.objects.filter(
        site=website, page_key=column.translation_key, scope=OfferRule.Scope.COLUMN
    ).exists()


def offered_by_rule(item) -> bool:
    """Is the item offered, by its own page's rule or by a column above it? (source schema)"""
    keys = set(OfferRule.objects.filter(site_id=item.site_id).values_list("page_key", flat=True))
    if not keys:
        return False

    with schema_context(item.site.schema_name):
        page = Page.objects.filter(pk=item.page_id).only("path", "depth", "translation_key").first()
        if page is None:
            return False
        if page.translation_key in keys:
            return True
        return Page.objects.ancestor_of(page).filter(translation_key__in=keys).exists()


def offered_by_rules(items) -> set[int]:
    """`offered_by_rule` for many items of one site: the pks of those offered, in three
    queries whatever their number (the site's rules, the pages, the ancestors named by a
    rule)."""
    if not items:
        return set()
    site = items[0].site
    if any(item.site_id != site.pk for item in items):
        raise ValueError("offered_by_rules: the items of one site at a time")
    keys = set(OfferRule.objects.filter(site_id=site.pk).values_list("page_key", flat=True))
    if not keys:
        return set()
    step = Page.steplen
    with schema_context(site.schema_name):
        pages = list(
            Page.objects.filter(pk__in=[i.page_id for i in items]).only(
                "path", "depth", "translation_key"
            )
        )
        lineage = {p.pk: [p.path[: step * d] for d in range(1, p.depth)] for p in pages}
        ruled = set(
            Page.objects.filter(
                path__in={path for paths in lineage.values() for path in paths},
                translation_key__in=keys,
            ).values_list("path", flat=True)
        )
    offered = {
        p.pk for p in pages if p.translation_key in keys or ruled.intersection(lineage[p.pk])
    }
    return {item.pk for item in items if item.page_id in offered}


def ensure_offer(item, target, *, subscription=None, offered_by="") -> SyndicationOffer:
    offer, created = SyndicationOffer.objects.get_or_create(
        item=item,
        target=target,
        defaults={"source": item.site, "subscription": subscription, "offered_by": offered_by},
    )
    if created:
        transaction.on_commit(partial(notify_offer, offer.pk))
    if not created and offer.status == OfferStatus.WITHDRAWN:
        # Withdrawn with its original, now back: the curator sees it again.
        offer.status, offer.decided_by, offer.decided_at = OfferStatus.PENDING, "", None
        offer.save(update_fields=["status", "decided_by", "decided_at"])
    return offer


def inbox(target):
    return (
        SyndicationOffer.objects.filter(
            target=target, status=OfferStatus.PENDING, item__withdrawn=False
        )
        .select_related("item", "source", "subscription")
        .order_by("-created_at")
    )


def accept_offer(offer, column_slug: str, user=None) -> Delivery:
    if offer.status != OfferStatus.PENDING:
        raise SyndicationError(f"该报送已处理（{offer.get_status_display()}）。")
    if offer.item.withdrawn:
        raise SyndicationError("原文已撤下，不能采用。")
    if not column_slug:
        raise SyndicationError("请选择采用到的栏目。")
    with transaction.atomic():
        offer.status, offer.column_slug = OfferStatus.ACCEPTED, column_slug
        offer.decided_by, offer.decided_at = actor_name(user), timezone.now()
        offer.save(update_fields=["status", "column_slug", "decided_by", "decided_at"])
        record(
            "syndication.accept",
            obj=offer,
            message=f"采用到栏目 {column_slug}",
            user=user,
            changes={"source": offer.source.legal_name, "item": offer.item.item_key},
        )
        return ensure_delivery(
            offer.item,
            offer.target,
            column_slug,
            Delivery.Origin.OFFER,
            offer=offer,
            subscription=offer.subscription,
        )


def decline_offer(offer, reason: str, user=None) -> SyndicationOffer:
    reason = (reason or "").strip()
    if not reason:
        raise SyndicationError("请填写未采用的理由，报送网站会看到它。")
    if offer.status != OfferStatus.PENDING:
        raise SyndicationError(f"该报送已处理（{offer.get_status_display()}）。")
    offer.status, offer.decline_reason = OfferStatus.DECLINED, reason[:2000]
    offer.decided_by, offer.decided_at = actor_name(user), timezone.now()
    offer.save(update_fields=["status", "decline_reason", "decided_by", "decided_at"])
    record(
        "syndication.reject",
        obj=offer,
        message=offer.decline_reason,
        user=user,
        changes={"source": offer.source.legal_name, "item": offer.item.item_key},
    )
    return offer
