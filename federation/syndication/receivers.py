"""Syndication follows the library: registered as one of its consumers (apps.py).

    on_item_changed(item)   (after the item's change committed, in the source's schema)
      item withdrawn → every copy and pending offer is withdrawn
      item current   → offers (offer rules), subscriptions, existing deliveries brought up to date
        └─ Delivery rows + deliveries.deliver in each receiving site's schema, after commit

It only writes syndication rows and enqueues deliveries; a failure leaves the library's
consumer step pending, and the consumer sweep runs it again (every step is idempotent).
"""

from tenants.models import Website

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
