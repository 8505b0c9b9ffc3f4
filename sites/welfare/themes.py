"""Theme tags into the library: an item's themes are its own tags and its columns' (the
projection hook named in settings.LIBRARY_PROJECTION_EXTRAS); investment notices belong to
the commerce channel by their page type."""

from wagtail.models import Page

from .models import InvestmentNoticePage, Theme, ThemeTag


def projection(page) -> dict:
    return projection_for_pages([page])[page.pk]


def projection_for_pages(pages) -> dict:
    """{page pk: extra} for a batch of pages of one site: two queries whatever their number
    (the ancestors by their paths, then the tags of all of them)."""
    step = Page.steplen
    lineage = {page.pk: [page.path[: step * d] for d in range(1, page.depth + 1)] for page in pages}
    ids_by_path = dict(
        Page.objects.filter(path__in={p for paths in lineage.values() for p in paths}).values_list(
            "path", "pk"
        )
    )
    tags: dict[int, set] = {}
    for page_id, theme in ThemeTag.objects.filter(
        page_id__in=set(ids_by_path.values())
    ).values_list("page_id", "theme"):
        tags.setdefault(page_id, set()).add(theme)
    found = {}
    for page in pages:
        themes = set()
        for path in lineage[page.pk]:
            themes |= tags.get(ids_by_path.get(path), set())
        if isinstance(page, InvestmentNoticePage):
            themes.add(Theme.COMMERCE)
        found[page.pk] = {"themes": sorted(themes)} if themes else {}
    return found


# The library projects pages a batch at a time and asks for the whole batch at once.
projection.for_pages = projection_for_pages
