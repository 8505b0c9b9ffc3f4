"""The demo city's search index: built once from the library after the library has projected
every site's demo pages (a city seeder, DEMO_CITY_SEEDERS, after federation.library.demo).

Rebuilt only when current items are missing from it — a first load, which the library
projects without consumer steps. Items added on a later run are indexed by their steps, so a
second run has nothing to do here. (Elasticsearch's index is not read here: rebuilt each run.)
"""

from federation.library.models import LibraryItem
from tenants.models import Website

from .backends import get_backend
from .models import SearchDocument


def seed() -> dict:
    backend = get_backend()
    if backend.name == "postgres":
        current = LibraryItem.objects.filter(withdrawn=False, site__status=Website.Status.ACTIVE)
        if not current.exclude(pk__in=SearchDocument.objects.values("item_id")).exists():
            return {}
    return {"indexed": backend.rebuild()}
