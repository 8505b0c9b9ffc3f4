"""Syndication follows the library: registered as one of its consumers (apps.py)."""

from . import services


def on_item_changed(item, event: str) -> None:
    """Runs after the item's change committed, in the source's schema (the library's task, or
    the consumer sweep). It only writes syndication rows and enqueues deliveries, which run in
    each receiving site's schema; a failure leaves the library's consumer step pending."""
    services.on_item_changed(item, event)
