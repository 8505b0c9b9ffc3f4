"""Syndication follows the library: registered as one of its consumers (apps.py), a batch of
one site's items at a time (`on_items_changed`; `on_item_changed` is a batch of one).

    on_items_changed(changes)   (after the items' change committed, in the source's schema)
      item withdrawn → every copy and pending offer is withdrawn
      item current   → offers (offer rules), subscriptions, existing deliveries brought up to date
        └─ Delivery rows + deliveries.deliver in each receiving site's schema, after commit

It only writes syndication rows and enqueues deliveries; a failure leaves the library's
consumer step pending, and the consumer sweep runs it again (every step is idempotent).
"""

from django.db import transaction

from tenants.models import Website

from . import broadcasts
from .deliveries import render_bodies, send_delivery, withdraw_item
from .models import Delivery
from .offers import ensure_offer, offered_by_rules
from .subscriptions import active_subscriptions, apply_subscription, matching_subscriptions


def on_item_changed(item, event: str = "") -> None:
    on_items_changed([(item, event)])


def on_items_changed(changes) -> None:
    """A batch of (item, event) of one site. The portal, the site's offer rules and the active
    subscriptions are read once for the batch, the items' deliveries and bodies in one query
    each; the rows are written in one transaction, and the delivery tasks go out when it
    commits (each delivery once, with its body already rendered)."""
    items = [item for item, _ in changes]
    with transaction.atomic():
        for item in items:
            if item.withdrawn:
                withdraw_item(item)
        current = [item for item in items if not item.withdrawn]
        if not current:
            return
        target = Website.objects.portal()
        offered = offered_by_rules(current) if target is not None else set()
        subscriptions = active_subscriptions()
        known = {
            (d.item_id, d.target_id): d.status
            for d in Delivery.objects.filter(item__in=current).only("item", "target", "status")
        }
        sent = set()
        for item in current:
            if target is not None and target.pk != item.site_id and item.pk in offered:
                ensure_offer(item, target, offered_by="报送设置")
            for subscription in matching_subscriptions(item, subscriptions):
                status = known.get((item.pk, subscription.target_id))
                if not subscription.requires_review and status not in (
                    None,
                    Delivery.Status.FAILED,
                ):
                    # The delivery is there and ensure_delivery would change nothing: it is
                    # sent below with the item's others (a declined one is not).
                    continue
                delivery = apply_subscription(subscription, item)
                if delivery is not None:
                    sent.add(delivery.pk)
        deliveries = list(
            Delivery.objects.filter(item__in=current)
            .exclude(status=Delivery.Status.DECLINED)
            .select_related("target")
        )
        # Once here, in the source's schema, not once per receiving site.
        delivered = {d.item_id for d in deliveries}
        render_bodies([item for item in current if item.pk in delivered])
        for delivery in deliveries:
            if delivery.pk not in sent:
                send_delivery(delivery)


def on_emergency_released(
    sender, release, page, level, banner, link, user, schema, **kwargs
) -> None:
    """An emergency item went live by the fast path (sites.disclosure.emergency): post the
    city-wide banner at once for a level the platform configures (the releasing session passed
    two-factor), or ask the portal for it."""
    if banner not in ("automatic", "requested"):
        return
    site = Website.objects.for_schema(schema)
    if site is None:
        return
    text = getattr(page, "summary", "") or getattr(page, "public_guidance", "") or page.title
    req = broadcasts.request_banner(
        site=site,
        page_key=f"{site.schema_name}:{page.pk}",
        title=page.title,
        text=text,
        link=link,
        level=level,
        user=user,
    )
    if banner == "automatic":
        broadcasts.approve_request(req, user=user, site=site)
