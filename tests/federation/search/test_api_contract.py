"""Issue 13, item 12: the search budget lets an office behind one address work, the API's 429
is JSON with Retry-After (in the OpenAPI), unknown sort/type values are a 400 in Chinese,
dates are the site's (Beijing) dates, and the OpenAPI server is the site's own domain."""

import datetime
import json
from types import SimpleNamespace

import pytest
from django.core.cache import cache

from federation.library.links import site_origin
from tests.clients import site_client
from tests.factories import unique

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_window(monkeypatch):
    """One fixed rate-limit window for the whole test, and empty counters."""
    import django_ratelimit.core

    monkeypatch.setattr(
        django_ratelimit.core, "time", SimpleNamespace(time=lambda: 1_800_000_030.0)
    )
    cache.clear()
    yield
    cache.clear()


def test_an_office_behind_one_address_is_not_locked_out_by_default(alpha, settings, one_window):
    from config.settings import base

    settings.RATE_LIMITS = base.RATE_LIMITS  # production's values, not the tests' relaxed ones
    limit, period = base.RATE_LIMITS["search"]
    assert period == 60 and limit >= 300
    client = site_client(alpha, REMOTE_ADDR="10.13.12.1")
    codes = [client.get("/search/").status_code for _ in range(120)]  # two a second, a minute
    assert set(codes) == {200}


def test_the_api_answers_429_in_json_with_retry_after(alpha, settings, one_window):
    settings.RATE_LIMITS = {"search": (2, 60)}
    client = site_client(alpha, REMOTE_ADDR="10.13.12.2")
    codes = [client.get("/api/search/", {"q": "供暖"}).status_code for _ in range(2)]
    assert codes == [200, 200]
    response = client.get("/api/search/", {"q": "供暖"})
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    assert 0 < int(response["Retry-After"]) <= 60
    body = json.loads(response.content)
    assert "检索过于频繁" in body["error"] and body["retry_after"] == int(response["Retry-After"])
    page = client.get("/search/", {"q": "供暖"})  # the HTML page keeps its HTML answer
    assert page.status_code == 429 and page["Content-Type"].startswith("text/html")
    spec = json.loads(client.get("/api/search/openapi.json").content)
    too_many = spec["paths"]["/api/search/"]["get"]["responses"]["429"]
    assert "Retry-After" in too_many["headers"]
    assert "error" in too_many["content"]["application/json"]["schema"]["properties"]


@pytest.mark.parametrize(
    ("params", "word"),
    [({"sort": "newest"}, "sort"), ({"type": "bogus"}, "type"), ({"type": ["news", "x"]}, "type")],
)
def test_unknown_sort_or_type_is_a_400_with_a_chinese_message(alpha, params, word):
    client = site_client(alpha)
    response = client.get("/api/search/", {"q": "供暖", **params})
    assert response.status_code == 400
    body = json.loads(response.content)
    assert word in body["error"] and "不支持" in body["error"]
    assert (
        client.get("/api/search/", {"q": "供暖", "sort": "date", "type": "news"}).status_code == 200
    )
    assert client.get("/search/", {"q": "供暖", **params}).status_code == 200  # the page is lenient
    spec = json.loads(client.get("/api/search/openapi.json").content)
    assert "400" in spec["paths"]["/api/search/"]["get"]["responses"]


def test_api_dates_are_the_sites_dates(alpha, publish):
    marker = unique("tz")
    publish(alpha, f"三月五日的通知 {marker}", "正文", date=datetime.date(2026, 3, 5))
    body = json.loads(site_client(alpha).get("/api/search/", {"q": marker}).content)
    assert [r["date"] for r in body["results"]] == ["2026-03-05"]


def test_the_openapi_server_is_the_sites_configured_domain(alpha):
    from django.test import Client

    response = Client(HTTP_HOST=f"{alpha.primary_domain}:8123").get("/api/search/openapi.json")
    assert response.status_code == 200
    servers = json.loads(response.content)["servers"]
    assert servers == [{"url": site_origin(alpha) + "/"}]
    assert ":8123" not in servers[0]["url"]
