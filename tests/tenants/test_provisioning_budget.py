"""Provisioning's query budget (issue 19): a new site costs a bounded number of SQL queries,
renamed from a spare or cloned, and the count does not grow with the sites already there."""

import pytest

from tenants import spares
from tests.query_budget import count_queries
from tests.tenants.test_provisioning import provision

pytestmark = pytest.mark.django_db

# Was 1,117 from a spare: an audit event's lock, head read, insert and registry lookup ~70
# times, and a query per role, grant and permission. What remains is mostly Wagtail's own
# page creation (~29 queries for each of a new site's ten pages) and deleting the template's
# placeholder page (~70).
SPARE_BUDGET = 500
CLONE_BUDGET = SPARE_BUDGET + 20  # reads the template's catalog, runs the copy


def new_site(n: int, *, from_spare: bool) -> int:
    """Provision site `n`; the number of queries it took."""
    if from_spare:
        assert spares.replenish(size=1)["made"] == 1
    count, _ = count_queries(
        lambda: provision(
            domain=f"budget{n}.example.gov.cn",
            schema_name=f"budget{n}",
            legal_name=f"预算{n}区人民政府",
            short_name=f"预算{n}区",
        )
    )
    assert spares.spare_schemas() == []  # the spare was taken (or there was none)
    return count


def test_provisioning_queries_are_bounded_and_do_not_grow_with_the_sites():
    # Three new schemas at most: the test's transaction holds every lock they take until
    # it ends (~2,900 a schema; the server's lock table is shared, docs/operations.md).
    first = new_site(1, from_spare=True)
    with_one_more_site = new_site(2, from_spare=True)
    cloned = new_site(3, from_spare=False)
    assert with_one_more_site == first, (
        f"queries grow with the sites: {first} → {with_one_more_site}"
    )
    assert first <= SPARE_BUDGET, first
    assert cloned <= CLONE_BUDGET, cloned
