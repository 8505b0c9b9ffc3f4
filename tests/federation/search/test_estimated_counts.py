"""Counts for a very common word: estimated from a sample above EXACT_COUNT_LIMIT matches,
shown as estimates (约), exact below it; the page and its order are never estimated.

The limits are lowered here (the real ones are 20,000 matches and a 10,000-row sample) so a
few hundred items stand for a city's library.
"""

import datetime
import uuid

import pytest
from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.utils import timezone

from federation.library.models import LibraryItem
from federation.search.backends import get_backend
from federation.search.backends.postgres import documents, matching
from federation.search.models import TABLE
from federation.search.query import from_params
from tests.factories import unique

pytestmark = pytest.mark.django_db

ITEMS = 640  # ten sample buckets of 64 hold about 100 of them


def library(sites, marker, count=ITEMS, years=(2026, 2025, 2024, 2023)):
    """`count` items with `marker`, taking turns over `sites` and `years` (newest first),
    indexed through the backend's write path; then the statistics the planner estimates from."""
    now = timezone.now()
    items = LibraryItem.objects.bulk_create(
        [
            LibraryItem(
                site=sites[n % len(sites)],
                item_key=f"t:{uuid.uuid4()}",
                page_id=700000 + n,
                item_type=("news", "notice")[n % 2],
                title=f"{marker} 第{n}期工作简报",
                summary="",
                text="各单位要高度重视，确保各项任务落到实处。",
                url=f"http://x.localhost/gzdt/{n}/",
                published_at=now.replace(year=years[n % len(years)])
                - datetime.timedelta(minutes=n),
            )
            for n in range(count)
        ]
    )
    get_backend().index_items(items)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE public.{TABLE}")
    return items


def search(website, query, **params):
    qd = QueryDict(mutable=True)
    qd.update({"q": query, **params})
    return get_backend().search(from_params(qd, website=website))


@pytest.fixture
def small_limits(monkeypatch):
    monkeypatch.setattr(matching, "EXACT_COUNT_LIMIT", 200)
    monkeypatch.setattr(matching, "SAMPLE_ROWS", 100)


def close(estimated, exact, tolerance=0.15):
    return abs(estimated - exact) <= tolerance * exact


def outside_the_sample(site, marker):
    """Two policy documents of 2019 for `site`, in buckets no sample of the test's size reads
    (a sample is ~10 of the 64 buckets), indexed."""
    made = LibraryItem.objects.bulk_create(
        [
            LibraryItem(
                site=site,
                item_key=f"t:{uuid.uuid4()}",
                page_id=800000 + n,
                item_type="policy",
                title=f"{marker} 第{n}号文件",
                summary="",
                text="",
                url=f"http://b.localhost/{n}/",
                published_at=datetime.datetime(2019, 6, 1, tzinfo=datetime.UTC)
                - datetime.timedelta(days=n),
            )
            for n in range(40)
        ]
    )
    kept = [item for item in made if documents.sample_bucket(item.pk) >= 32][:2]
    LibraryItem.objects.filter(pk__in=[i.pk for i in made if i not in kept]).delete()
    get_backend().index_items(kept)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE public.{TABLE}")
    return kept


def test_above_the_limit_counts_are_estimated_from_a_sample_and_the_page_is_exact(
    alpha, beta, small_limits, monkeypatch
):
    marker = unique("est")
    library([alpha, beta], marker)
    estimated = search(alpha, marker, scope="all")
    assert estimated.estimated  # the planner's statistics put the word over the limit
    assert close(estimated.total, ITEMS)
    sites = {f.value: f.count for f in estimated.facets["site"]}
    assert set(sites) == {"alpha", "beta"} and all(close(n, ITEMS / 2) for n in sites.values())
    years = {f.value: f.count for f in estimated.facets["year"]}
    assert set(years) == {"2026", "2025", "2024", "2023"}
    assert all(close(n, ITEMS / 4, 0.3) for n in years.values())
    # The same search counted exactly: the same hits in the same order, on either sort.
    monkeypatch.setattr(matching, "EXACT_COUNT_LIMIT", 10**9)
    exact = search(alpha, marker, scope="all")
    assert not exact.estimated and exact.total == ITEMS
    assert [h.item.pk for h in exact.hits] == [h.item.pk for h in estimated.hits]
    monkeypatch.setattr(matching, "EXACT_COUNT_LIMIT", 200)
    by_date = search(alpha, marker, scope="all", sort="date", page="3")
    assert by_date.estimated
    newest = LibraryItem.objects.filter(title__startswith=marker).order_by("-published_at", "-pk")
    assert [h.item.pk for h in by_date.hits] == list(newest.values_list("pk", flat=True)[20:30])


def test_a_site_type_or_year_the_sample_missed_is_still_a_facet_value_with_its_count(
    alpha, beta, small_limits
):
    """A small site's few matches, a rare type, an old year easily fall outside a sample; the
    facets must still list them, or a visitor could not narrow to them."""
    marker = unique("few")
    library([alpha], marker)  # news and notices of 2023-2026
    kept = outside_the_sample(beta, marker)
    results = search(alpha, marker, scope="all")
    assert results.estimated
    facets = {kind: {f.value: f.count for f in values} for kind, values in results.facets.items()}
    assert facets["site"]["beta"] == 2 and close(facets["site"]["alpha"], ITEMS)
    assert facets["type"]["policy"] == 2 and facets["year"]["2019"] == 2
    narrowed = search(alpha, marker, scope="all", site="beta")
    assert narrowed.total == 2 and {h.item.pk for h in narrowed.hits} == {i.pk for i in kept}


def test_a_site_search_estimates_from_that_sites_items_only(alpha, beta, small_limits, monkeypatch):
    marker = unique("ess")
    library([alpha, beta], marker)
    # The planner's guess for the word and the site together varies with the test table's
    # other rows; here it is right, so the sample is sized as in real use.
    monkeypatch.setattr(matching.Matching, "expected_matches", lambda self, cursor: ITEMS / 2)
    outside_the_sample(beta, marker)  # another site's type and year the sample misses
    results = search(alpha, marker, scope="site")
    assert results.estimated and close(results.total, ITEMS / 2)
    assert [f.value for f in results.facets["site"]] == ["alpha"]
    assert "policy" not in {f.value for f in results.facets["type"]}
    assert "2019" not in {f.value for f in results.facets["year"]}
    assert {h.item.site for h in results.hits} == {alpha}


def test_below_the_limit_and_where_the_planner_guessed_high_counts_are_exact(
    alpha, small_limits, monkeypatch
):
    marker = unique("exa")
    library([alpha], marker, count=150)
    assert search(alpha, marker).total == 150  # under the limit: exact
    # A planner estimate far too high: the sample finds few matches, the counts are exact.
    # The sample is then one bucket of 64 (2-3 of these items), scaled up 64 times; the limit
    # is raised so far above the 150 matches that sampling noise cannot cross it (at 200, one
    # bucket holding 4 of them made an estimate of 256, and the test depended on item ids).
    monkeypatch.setattr(matching, "EXACT_COUNT_LIMIT", 1000)
    monkeypatch.setattr(matching.Matching, "expected_matches", lambda self, cursor: 10**6)
    results = search(alpha, marker)
    assert not results.estimated and results.total == 150
    assert {f.value: f.count for f in results.facets["type"]} == {"news": 75, "notice": 75}


def test_when_estimated_years_were_too_high_the_page_reads_every_year(alpha, monkeypatch):
    """The page reads only the years that hold the matches it needs, by the year counts; an
    estimate can put too many in the newest year, and the page must still be complete."""
    marker = unique("yr")
    library([alpha], marker, count=40, years=(2024,))
    library([alpha], marker, count=3, years=(2026,))
    real_count = matching.Matching.count

    def inflated(self, cursor, buckets=None):
        counts = real_count(self, cursor, buckets)
        counts.years[2026], counts.estimated = 1000, True
        return counts

    monkeypatch.setattr(matching.Matching, "count", inflated)
    hits = search(alpha, marker, sort="date").hits
    newest = LibraryItem.objects.filter(title__startswith=marker).order_by("-published_at", "-pk")
    assert [h.item.pk for h in hits] == list(newest.values_list("pk", flat=True)[:10])
    assert len({h.item.published_at.year for h in hits}) == 2


def test_the_page_and_the_api_say_the_counts_are_estimates(alpha, beta, small_limits):
    marker = unique("esv")
    library([alpha, beta], marker)
    page = Client().get("/search/", {"q": marker, "scope": "all"}, HTTP_HOST=alpha.primary_domain)
    html = page.content.decode()
    assert "找到约 <strong>" in html and "(约" in html
    api = (
        Client()
        .get("/api/search/", {"q": marker, "scope": "all"}, HTTP_HOST=alpha.primary_domain)
        .json()
    )
    assert api["total_estimated"] is True and close(api["total"], ITEMS)
    exact = (
        Client()
        .get(
            "/api/search/",
            {"q": marker, "scope": "all", "site": "alpha", "type": "news", "year": "2026"},
            HTTP_HOST=alpha.primary_domain,
        )
        .json()
    )
    assert exact["total_estimated"] is False and exact["total"] == ITEMS // 4
