"""Wagtail's own search index (each site's admin search) without a whole-table pass per save.

Wagtail's database backend on PostgreSQL (modelsearch's PostgresIndex) follows every save of
an indexed object with `_refresh_title_norms`: it averages the title length of *every* entry
of the site's index (a sequential scan that detoasts each title vector) and then scans again
for the entries still at the default norm. A save therefore costs more the bigger the site
(`make bench BENCH=search_index`: 24.8 ms at 20,000 entries, 53.9 ms at 100,000), for every
page an import, a resync or a syndication run saves there.

Here the average title length is read once per site and process and kept for a few minutes
(`AVERAGE_SECONDS`): it only scales every entry's title boost alike, so an average a little
old ranks the same. The entries awaiting their norm are found through a partial index
(sites.core migration 0003, `title_norm = 1.0`), not a scan. A full rebuild
(`update_index`) still sets every norm from the exact average, as before.
"""

import time

from django.db import connection
from django.db.models import Avg, F
from django.db.models.functions import Length
from modelsearch.backends.database.postgres.postgres import PostgresIndex, PostgresSearchBackend

AVERAGE_SECONDS = 300
_MOST_SITES = 5000  # beyond this many (database, schema) entries the memo starts again

# (database name, schema) → (average title length, when it was read). Keyed by schema: one
# site's average is never used for another's entries.
_averages: dict[tuple[str, str], tuple[float, float]] = {}


def _site_key() -> tuple[str, str]:
    return connection.settings_dict["NAME"], getattr(connection, "schema_name", "public")


class SiteSearchIndex(PostgresIndex):
    def _refresh_title_norms(self, full=False):
        if full:
            _averages.pop(_site_key(), None)
            return super()._refresh_title_norms(full=True)
        average = self._average_title_length()
        if average is None:  # no entry has a title yet
            return
        self.entries.filter(title_norm=1.0).annotate(title_length=Length("title")).filter(
            title_length__gt=0
        ).update(title_norm=average / F("title_length"))

    def _average_title_length(self) -> float | None:
        key, now = _site_key(), time.monotonic()
        known = _averages.get(key)
        if known and now - known[1] < AVERAGE_SECONDS:
            return known[0]
        average = (
            self.entries.annotate(title_length=Length("title"))
            .filter(title_length__gt=0)
            .aggregate(Avg("title_length"))["title_length__avg"]
        )
        if average is None:
            return None
        if len(_averages) >= _MOST_SITES:
            _averages.clear()
        _averages[key] = (average, now)
        return average


class SearchBackend(PostgresSearchBackend):
    """WAGTAILSEARCH_BACKENDS["default"]: Wagtail's PostgreSQL backend with SiteSearchIndex."""

    index_class = SiteSearchIndex
