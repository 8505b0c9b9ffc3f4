"""栏目共建 subscriptions (a receiving column gathers matching items from other sites) and
push-down (下发: the portal sends one of its items to many sites, mandatory or optional)."""

from django.db import transaction

from federation.library.models import LibraryItem
from security.audit.context import actor_name
from security.audit.services import record
from tenants.models import Website

from . import rules
from .deliveries import ensure_delivery
from .models import Audience, Delivery, PushDown, Subscription
from .offers import ensure_offer
from .rules import SyndicationError

BACKFILL_LIMIT = 50


def active_subscriptions() -> list[Subscription]:
    """Every active subscription with its target and sources: read once for a batch of items."""
    return list(
        Subscription.objects.filter(active=True)
        .select_related("target")
        .prefetch_related("sources")
    )


def matching_subscriptions(item, subscriptions=None):
    subs = active_subscriptions() if subscriptions is None else subscriptions
    return [
        s
        for s in subs
        if s.target_id != item.site_id
        and rules.subscription_matches(s, item, [w.pk for w in s.sources.all()])
    ]


def apply_subscription(subscription, item) -> Delivery | None:
    """The item into the subscribing column: a delivery (returned, its task sent), or an offer
    the portal's curator reviews first."""
    if subscription.requires_review:
        ensure_offer(item, subscription.target, subscription=subscription, offered_by="栏目共建")
        return None
    return ensure_delivery(
        item,
        subscription.target,
        subscription.column_slug,
        Delivery.Origin.SUBSCRIPTION,
        subscription=subscription,
    )


def backfill_subscription(subscription, limit: int = BACKFILL_LIMIT) -> int:
    """Bring a new subscription the latest matching items already in the library."""
    sources = [w.pk for w in subscription.sources.all()]
    candidates = (
        LibraryItem.objects.filter(withdrawn=False, site__status=Website.Status.ACTIVE)
        .exclude(site=subscription.target)
        .select_related("site")
        .order_by("-published_at")
    )
    if subscription.item_types:
        candidates = candidates.filter(item_type__in=subscription.item_types)
    if subscription.categories:
        candidates = candidates.filter(category__in=subscription.categories)
    if subscription.audience == Audience.CHOSEN:
        candidates = candidates.filter(site_id__in=sources)
    else:
        candidates = candidates.filter(
            site__kind__in=rules.KINDS_BY_AUDIENCE[subscription.audience]
        )
    applied = 0
    for item in candidates[:limit]:
        if rules.subscription_matches(subscription, item, sources):
            apply_subscription(subscription, item)
            applied += 1
    return applied


def push_down(
    item, *, audience: str, column_slug: str, mandatory: bool = True, sites=(), user=None
) -> PushDown:
    if item.withdrawn:
        raise SyndicationError("该信息已撤下，不能下发。")
    if audience not in Audience.values:
        raise SyndicationError(f"未知的下发范围“{audience}”。")
    if audience == Audience.CHOSEN and not sites:
        raise SyndicationError("请选择至少一个接收网站。")
    if not column_slug:
        raise SyndicationError("请填写接收栏目（各网站的栏目标识，如 tzgg）。")
    with transaction.atomic():
        push = PushDown.objects.create(
            item=item,
            audience=audience,
            column_slug=column_slug,
            mandatory=mandatory,
            created_by=actor_name(user),
        )
        if audience == Audience.CHOSEN:
            push.sites.set(sites)
        for target in rules.audience_sites(audience, sites, exclude=item.site):
            ensure_delivery(
                item,
                target,
                column_slug,
                Delivery.Origin.PUSH_DOWN,
                push_down=push,
                mandatory=mandatory,
            )
        record(
            "syndication.push",
            obj=push,
            message=f"{push.get_audience_display()} · 栏目 {column_slug}",
            user=user,
            changes={"mandatory": mandatory, "item": item.item_key},
        )
    return push
