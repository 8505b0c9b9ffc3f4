"""The demo city's library: one projection per site of the pages the seeder wrote in bulk
(tenants/demo/pages.py), which fired no publish event. A city seeder (DEMO_CITY_SEEDERS), run
once every site has its pages; idempotent: a second run finds nothing new.

A fresh city (an empty library) is loaded without consumer steps: the search demo builds the
index from the library in one pass right after, and nothing is subscribed to yet. Pages added
to the data files later are new to a running city: their consumers follow them as after any
publish (search indexes them, subscriptions copy them).
"""

from django.db import connection

from tenants.models import Website

from . import consumers, services
from .models import LibraryItem


def seed() -> dict:
    first_load = not LibraryItem.objects.exists()
    new = []
    for website in Website.objects.sites().filter(status=Website.Status.ACTIVE).order_by("pk"):
        new += services.project_new_pages(website, notify=not first_load)
    connection.set_schema_to_public()
    if new and not first_load:
        consumers.run_pending([item.pk for item in new])
        connection.set_schema_to_public()
    return {"items": len(new)}
