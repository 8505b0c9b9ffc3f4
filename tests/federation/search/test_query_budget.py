"""The search page runs a bounded number of SQL queries, whatever the number of hits
(issue 5's budgets; the helper is tests/query_budget.py). Both sizes fill more than one
page of results, so the comparison is of equal pages, not of a page with or without a pager."""

import pytest
from django.test import Client

from tests.factories import unique
from tests.query_budget import assert_query_budget

pytestmark = pytest.mark.django_db

# Measured 2026-11 (PostgreSQL backend); lower it when a change saves queries. The PostgreSQL
# backend sets enable_seqscan for its two statements (postgres/matching.index_scans_only) and, inside a
# caller's transaction as here, puts it back: a request outside one runs a query less. It
# asks the planner how many rows a query matches (EXPLAIN), to count them or a sample. Two
# are the search rate limit's counter (2026-12: django-ratelimit's add, then incr; shared by
# every process, so in PostgreSQL when there is no Redis: security/counters.py).
# +1 (issue 17): the site's presentation settings (favicon, header image, badge link).
BUDGET = {"site": 19, "all_sites": 19}


@pytest.mark.parametrize("scope", ["site", "all_sites"])
def test_search_page_budget(alpha, beta, publish, scope):
    marker = unique("qb")

    def grow(n):
        for i in range(n):
            publish(
                alpha if i % 3 else beta,
                f"预算检索第{i}条 {marker}",
                "道路维修通知正文",
                column="tzgg",
            )

    params = {"q": marker, **({"scope": "all"} if scope == "all_sites" else {})}
    assert_query_budget(
        fetch=lambda: Client().get("/search/", params, HTTP_HOST=alpha.primary_domain),
        add_items=grow,
        budget=BUDGET[scope],
        sizes=(18, 48),
        label=f"search ({scope})",
        check=lambda r: r.status_code == 200 and marker in r.content.decode(),
    )
