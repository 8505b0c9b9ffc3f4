"""What both backends share (backends/base.py): a search opens the same way whichever backend
answers, and what needs no index (nothing to look up, no site to look in) is answered without
asking it: with the Elasticsearch cluster down, these searches still get their messages."""

import pytest
from django.http import QueryDict

from federation.search import backends
from federation.search.query import from_params

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["postgres", "elasticsearch"])
def backend(request, settings):
    settings.FEDERATION_SEARCH_BACKEND = request.param
    # A closed port: a search that reached the cluster would raise SearchUnavailable.
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:1"
    yield backends.get_backend()
    backends._cache.clear()


@pytest.mark.parametrize(
    ("params", "notes"),
    [
        ({}, ["请输入检索词。"]),
        ({"q": "？！……"}, ["检索词中没有可检索的文字，请换用其他词语。"]),
        ({"q": "道路", "site": "nosuchsite"}, ["所选网站没有可检索的信息。"]),
        (
            {"page": "1000"},
            ["最多显示前100页结果，请增加检索词或按网站、类型、年份筛选。", "请输入检索词。"],
        ),
    ],
)
def test_a_search_with_nothing_to_look_up_gets_the_same_messages_from_either_backend(
    alpha, backend, params, notes
):
    query = QueryDict(mutable=True)
    query.update(params)
    results = backend.search(from_params(query, website=alpha))
    assert results.notes == notes
    assert (results.total, results.hits, results.facets) == (0, [], {})
