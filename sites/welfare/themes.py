"""Theme tags into the library: an item's themes are its own tags and its columns' (the
projection hook named in settings.LIBRARY_PROJECTION_EXTRAS); investment notices belong to
the commerce channel by their page type."""

from wagtail.models import Page

from .models import InvestmentNoticePage, Theme, ThemeTag


def projection(page) -> dict:
    ancestors = Page.objects.ancestor_of(page, inclusive=True).values_list("pk", flat=True)
    themes = set(
        ThemeTag.objects.filter(page_id__in=list(ancestors)).values_list("theme", flat=True)
    )
    if isinstance(page, InvestmentNoticePage):
        themes.add(Theme.COMMERCE)
    return {"themes": sorted(themes)} if themes else {}
