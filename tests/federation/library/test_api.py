"""T1: the read-only JSON API over the library: filters, pages, errors, OpenAPI, rate limit."""

import datetime
import json

import pytest

from tests.clients import site_client
from tests.factories import unique

pytestmark = pytest.mark.django_db


def get(website, **params):
    response = site_client(website).get("/api/library/items/", params)
    return response.status_code, json.loads(response.content)


def test_items_by_site_type_column_and_date(alpha, beta, publish):
    old = publish(alpha, unique("旧通知"), column="tzgg", date=datetime.date(2026, 1, 5))
    new = publish(alpha, unique("新动态"), column="gzdt", date=datetime.date(2026, 11, 5))
    theirs = publish(beta, unique("乙局通知"), column="tzgg", date=datetime.date(2026, 11, 5))

    status, body = get(alpha)
    titles = [r["title"] for r in body["results"]]
    assert status == 200 and new.title in titles and old.title in titles
    assert theirs.title not in titles, "alpha's API lists only alpha by default"
    assert titles.index(new.title) < titles.index(old.title), "newest first"
    item = next(r for r in body["results"] if r["title"] == new.title)
    assert item["site"] == {"schema": "alpha", "name": alpha.legal_name}
    assert item["url"].endswith(new.url_path.split("/", 2)[2]) or item["url"]

    _, body = get(alpha, site="beta")
    assert [r["title"] for r in body["results"]] == [theirs.title]
    _, body = get(alpha, column="通知公告")
    assert {r["title"] for r in body["results"]} >= {old.title}
    assert new.title not in {r["title"] for r in body["results"]}
    _, body = get(alpha, since="2026-11-01", until="2026-11-30")
    assert {r["title"] for r in body["results"]} >= {new.title}
    assert old.title not in {r["title"] for r in body["results"]}
    _, body = get(alpha, type=item["type"])
    assert all(r["type"] == item["type"] for r in body["results"])


def test_pages(alpha, publish):
    for n in range(3):
        publish(alpha, unique(f"分页{n}"), column="gzdt")
    status, first = get(alpha, per_page=2)
    assert status == 200 and len(first["results"]) == 2 and first["num_pages"] >= 2
    assert "page=2" in first["next"]
    _, second = get(alpha, per_page=2, page=2)
    assert not {r["key"] for r in first["results"]} & {r["key"] for r in second["results"]}


@pytest.mark.parametrize(
    "params",
    [{"since": "2026-13-01"}, {"type": "nonsense"}, {"page": "0"}, {"per_page": "1000"}],
)
def test_malformed_parameters_are_a_400_in_chinese(alpha, params):
    status, body = get(alpha, **params)
    assert status == 400 and body["error"]


def test_openapi_describes_the_endpoint(alpha):
    spec = json.loads(site_client(alpha).get("/api/library/openapi.json").content)
    operation = spec["paths"]["/api/library/items/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"site", "type", "column", "since", "until", "page", "per_page"} <= names
    assert {"200", "400", "429"} <= set(operation["responses"])
    assert spec["servers"][0]["url"].startswith(f"http://{alpha.primary_domain}")


def test_rate_limited_per_address(alpha, settings):
    from django.core.cache import caches

    caches["ratelimit"].clear()
    settings.RATE_LIMITS = {"api": (2, 60)}
    client = site_client(alpha, REMOTE_ADDR="10.13.14.1")
    codes = [client.get("/api/library/items/").status_code for _ in range(3)]
    assert codes[:2] == [200, 200] and codes[2] == 429
