"""The search index follows the library: registered as one of its consumers (apps.py), so
every change of an item reaches the index, and one the cluster refused is retried by the
library's consumer sweep."""

from .backends import get_backend


def on_item_changed(item, event: str) -> None:
    """Current items in, withdrawn ones out (the backend decides from the item's state)."""
    get_backend().index_items([item])
