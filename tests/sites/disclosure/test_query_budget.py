"""The disclosure catalogue page runs a bounded number of SQL queries, whatever it lists
(issue 5's budgets; the helper is tests/query_budget.py)."""

from django.test import Client

from sites.disclosure.models import CataloguePage
from tests.query_budget import assert_query_budget
from tests.sites.disclosure.factories import make_article, make_document

# Measured 2026-11; lower it when a change saves queries, raise it only with a reason.
BUDGET = {"catalogue": 26, "catalogue_filtered": 26}


def _grow(n):
    for i in range(n):
        (make_document if i % 2 else make_article)()


def test_catalogue_page_budget(in_alpha):
    client, url = Client(HTTP_HOST=in_alpha.primary_domain), CataloguePage.objects.get().url
    assert_query_budget(
        fetch=lambda: client.get(url),
        add_items=_grow,
        budget=BUDGET["catalogue"],
        sizes=(2, 25),
        label="disclosure catalogue",
        check=lambda r: r.status_code == 200,
    )


def test_filtered_catalogue_page_budget(in_alpha):
    client, url = Client(HTTP_HOST=in_alpha.primary_domain), CataloguePage.objects.get().url
    assert_query_budget(
        fetch=lambda: client.get(url, {"year": 2025, "genre": "notice"}),
        add_items=_grow,
        budget=BUDGET["catalogue_filtered"],
        sizes=(2, 42),
        label="filtered catalogue",
        check=lambda r: r.status_code == 200,
    )
