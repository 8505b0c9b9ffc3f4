"""/search/ and /api/search/: scope, facets, pagination, OpenAPI, and hostile input."""

import pytest
from django.test import Client

from tests.factories import unique

pytestmark = pytest.mark.django_db

HOSTILE = [
    "x" * 5000,
    '道路 & | ! ( ) : * " \\',
    "'; DROP TABLE library_libraryitem; --",
    "<script>alert('xss')</script>",
    '"unmatched quote 道路',
    "\x00\x01 control",
    "a:* | !b <-> c",
    "title:(foo OR bar) AND body:[* TO *]",
    "%' OR 1=1 --",
    "🙂🙂🙂",
    "&&&&&",
]


def get(website, path, **params):
    return Client().get(path, params, HTTP_HOST=website.primary_domain)


@pytest.fixture
def items(alpha, beta, publish):
    marker = unique("vw")
    for n in range(12):
        publish(alpha, f"甲区环境监测报告第{n}期 {marker}", "空气质量优良。")
    publish(beta, f"乙局环境监测通报 {marker}", "水质达标。", column="tzgg")
    return marker


@pytest.fixture
def one_item(alpha, publish):
    marker = unique("one")
    publish(alpha, f"道路维修 {marker}", "正文")
    return marker


def test_search_page_on_a_site_defaults_to_the_site_and_widens_with_scope_all(alpha, items):
    response = get(alpha, "/search/", q=f"环境监测 {items}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "找到 <strong>12</strong> 条结果" in html
    assert "乙局环境监测通报" not in html
    assert "检索全部网站" in html and "<mark>环境" in html and "乌海市甲区人民政府" in html
    assert 'rel="next"' in html
    wide = get(alpha, "/search/", q=f"环境监测 {items}", scope="all").content.decode()
    assert "找到 <strong>13</strong> 条结果" in wide


def test_site_facet_and_page_two(alpha, items):
    html = get(alpha, "/search/", q=items, scope="all", site="beta").content.decode()
    assert "乙局环境监测通报" in html and "甲区环境监测报告" not in html
    page2 = get(alpha, "/search/", q=items, page="2").content.decode()
    assert "第 2 / 2 页" in page2


def test_the_portal_searches_every_site_by_default(db, publish):
    from tenants import services

    portal = services.provision_site(
        kind="portal",
        legal_name="乌海市人民政府",
        short_name="乌海市",
        domain="portal-search.localhost",
        schema_name="portal_search",
    ).website
    marker = unique("pt")
    publish(services.get_site("beta"), f"乙局信息 {marker}", "正文", column="bmdt")
    html = get(portal, "/search/", q=marker).content.decode()
    assert "乙局信息" in html and "全部网站" in html


def test_api_returns_the_same_search_as_json(alpha, items):
    response = get(alpha, "/api/search/", q=f"环境监测 {items}", scope="all", type="notice")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    body = response.json()
    assert body["total"] == 1 and body["scope"] == "all"
    hit = body["results"][0]
    assert hit["site"] == {"schema": "beta", "name": "乌海市乙局"}
    assert hit["url"].startswith("http://beta.localhost/") and hit["type"] == "notice"
    assert "<mark>" in hit["snippet_html"] or "<mark>" in hit["title_html"]
    assert {f["value"] for f in body["facets"]["type"]} == {"notice"}


def test_openapi_schema_documents_the_parameters(alpha):
    schema = get(alpha, "/api/search/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    names = {p["name"] for p in schema["paths"]["/api/search/"]["get"]["parameters"]}
    assert names == {"q", "scope", "site", "type", "year", "sort", "page"}


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_fail_and_are_never_reflected_raw(alpha, one_item, query):
    for path in ("/search/", "/api/search/"):
        response = get(alpha, path, q=query, scope="all")
        assert response.status_code == 200, (path, query)
        body = response.content.decode()
        assert "<script>alert" not in body
    assert "&lt;script&gt;" in get(alpha, "/search/", q=HOSTILE[3]).content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"page": "999999999999999999999"},
        {"page": "-3"},
        {"page": "abc"},
        {"page": "50"},
        {"type": "nonsense"},
        {"year": "99999"},
        {"year": "abc"},
        {"site": "../../etc"},
        {"site": "nosuchsite"},
        {"scope": "everything"},
        {"sort": "drop table"},
    ],
)
def test_bad_parameters_give_sensible_pages(alpha, one_item, params):
    assert get(alpha, "/search/", q=one_item, **params).status_code == 200, params
    response = get(alpha, "/api/search/", q=one_item, **params)
    if "sort" in params or "type" in params:  # an API client is told (issue 13, item 12)
        assert response.status_code == 400 and response.json()["error"], params
        return
    assert response.status_code == 200, params
    body = response.json()
    if params.get("page") in ("999999999999999999999", "50"):
        assert body["results"] == [] and body["messages"]


def test_an_empty_query_asks_for_words(alpha):
    assert "请输入检索词" in get(alpha, "/search/").content.decode()
    assert get(alpha, "/api/search/", q="！？。").json()["messages"]


def test_unknown_host_is_not_searchable(db):
    assert Client().get("/api/search/", {"q": "x"}, HTTP_HOST="nosuch.localhost").status_code == 404
