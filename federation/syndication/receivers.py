"""Syndication follows the library: registered as one of its consumers (apps.py).

    on_item_changed(item)   (after the item's change committed, in the source's schema)
      item withdrawn → every copy and pending offer is withdrawn
      item current   → offers (offer rules), subscriptions, existing deliveries brought up to date
        └─ Delivery rows + deliveries.deliver in each receiving site's schema, after commit

It only writes syndication rows and enqueues deliveries; a failure leaves the library's
consumer step pending, and the consumer sweep runs it again (every step is idempotent).
"""

from tenants.models import Website

from . import broadcasts
from .deliveries import render_body, send_delivery, withdraw_item
from .models import Delivery
from .offers import ensure_offer, offered_by_rule
from .subscriptions import apply_subscription, matching_subscriptions


def on_item_changed(item, event: str = "") -> None:
    if item.withdrawn:
        withdraw_item(item)
        return
    target = Website.objects.portal()
    if target is not None and target.pk != item.site_id and offered_by_rule(item):
        ensure_offer(item, target, offered_by="报送设置")
    for subscription in matching_subscriptions(item):
        apply_subscription(subscription, item)
    deliveries = list(
        item.deliveries.exclude(status=Delivery.Status.DECLINED).select_related("target")
    )
    if deliveries:
        render_body(item)  # once here, in the source's schema, not once per receiving site
    for delivery in deliveries:
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
