"""Reading the library from below: page types that aggregate items of every site (theme
channels, the commerce channel in sites.welfare) call these through names in settings."""

from django.db.models import Q

from .models import LibraryItem


def tagged_items(key: str, value: str, limit: int = 20) -> list[dict]:
    """Published items of every site whose `extra[key]` is `value` or a list holding it,
    newest first."""
    items = (
        LibraryItem.objects.filter(withdrawn=False)
        .filter(Q(**{f"extra__{key}__contains": [value]}) | Q(**{f"extra__{key}": value}))
        .select_related("site")
        .order_by("-published_at")[:limit]
    )
    return [
        {
            "title": item.title,
            "url": item.url,
            "summary": item.summary,
            "published_at": item.published_at,
            "site": str(item.site) if item.site_id else "",
            "category": item.category,
        }
        for item in items
    ]
