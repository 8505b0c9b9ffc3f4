"""The search index follows the library: registered as one of its consumers (apps.py), so
every change of an item reaches the index, and one the cluster refused is retried by the
library's consumer sweep."""

from .backends import get_backend


def on_item_changed(item, event: str) -> None:
    """Current items in, withdrawn ones out (the backend decides from the item's state)."""
    get_backend().index_items([item])


def on_items_changed(changes) -> None:
    """A batch of (item, event) of one site: written to the index in one call of the backend
    (one statement for PostgreSQL, one bulk request for Elasticsearch)."""
    get_backend().index_items([item for item, _ in changes])
