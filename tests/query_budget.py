"""Query budgets: a view runs a bounded number of SQL queries, whatever the number of items.

Reusable by every area (disclosure catalogue, search, …):

    from tests.query_budget import assert_query_budget, max_queries

    with max_queries(12, "column page"):
        client.get("/gzdt/", HTTP_HOST=host)

    assert_query_budget(
        fetch=lambda: client.get("/gzdt/", HTTP_HOST=host),
        add_items=lambda n: make_articles(column, n),   # adds n more listed items
        budget=14, sizes=(1, 25),
    )

`assert_query_budget` warms the view once (Wagtail caches its site roots on first use),
then, for each size, adds items up to that size and counts the queries of one fetch: the
counts must be equal (no N+1) and within the budget. Failures list the SQL. Per-process
caches that expire within seconds (the broadcast list) are forgotten before each counted
fetch, so the count is the worst case and does not depend on how fast the test runs.
"""

from contextlib import contextmanager

from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext


def _listing(captured) -> str:
    return "\n".join(f"  {i + 1}. {q['sql'][:240]}" for i, q in enumerate(captured))


@contextmanager
def max_queries(budget: int, label: str = "view"):
    """Fail if the block runs more than `budget` SQL queries."""
    with CaptureQueriesContext(connection) as context:
        yield context
    count = len(context.captured_queries)
    assert count <= budget, (
        f"{label} ran {count} SQL queries (budget {budget}):\n{_listing(context.captured_queries)}"
    )


def forget_short_lived_caches() -> None:
    """Make the next request load what a request loads every few seconds anyway."""
    if apps.is_installed("federation.syndication"):
        from federation.syndication.broadcasts import forget_cache

        forget_cache()


def count_queries(fetch):
    """(number of SQL queries, result) of one call."""
    with CaptureQueriesContext(connection) as context:
        result = fetch()
    return len(context.captured_queries), result


def assert_query_budget(
    fetch, add_items, *, budget: int, sizes=(1, 20), label: str = "view", check=None
) -> list[int]:
    """Queries of `fetch()` stay equal as items grow from sizes[0] to sizes[-1], and ≤ budget.

    `add_items(n)` adds n more items; `check(result)` (optional) asserts the fetch worked,
    e.g. that the response is a 200 listing the new items. Returns the counts per size.
    """
    counts, listings, have = [], [], 0
    fetch()  # warm per-process caches (site roots, content types)
    for size in sizes:
        add_items(size - have)
        have = size
        forget_short_lived_caches()
        with CaptureQueriesContext(connection) as context:
            result = fetch()
        if check:
            check(result)
        counts.append(len(context.captured_queries))
        listings.append(_listing(context.captured_queries))
    assert len(set(counts)) == 1, (
        f"{label}: queries grow with items {dict(zip(sizes, counts, strict=True))}:\n"
        + "\n---\n".join(listings)
    )
    assert counts[0] <= budget, (
        f"{label} ran {counts[0]} SQL queries (budget {budget}):\n{listings[0]}"
    )
    return counts
