"""Property: malformed input to any public endpoint never causes a server error (5xx)."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.clients import site_client

SITE_PATHS = [
    "/",
    "/gzdt/",
    "/tzgg/",
    "/zwgk/",
    "/no/such/page/",
    "/admin/login/",
    "/admin/2fa/",
    "/admin/2fa/setup/",
    "/admin/password_reset/",
    "/documents/1/x.pdf",
    "/documents/999999/",
    "/admin/logout/",
    "/banjian/",
    "/banjian/TS2026120100001/",
    "/banjian/%00/buzheng/",
    "/banjian/TS2026120100001/files/1/",
]
CONSOLE_PATHS = [
    "/login/",
    "/2fa/",
    "/2fa/setup/",
    "/audit/",
    "/sites/responsibility/",
    "/logout/",
    "/calendar/",
    "/cases/",
]
FIELDS = [
    "username",
    "password",
    "code",
    "next",
    "q",
    "page",
    "csrfmiddlewaretoken",
    "remember",
    "x",
    "number",
    "note",
    "date",
    "year",
]

text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)
values = st.one_of(
    text,
    st.sampled_from(
        [
            "",
            "\x00",
            "0" * 5000,
            "../../etc/passwd",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "%00",
            "https://evil.example/",
            "-1",
            "9" * 40,
            "\u202e",
            "javascript:alert(1)",
        ]
    ),
)
form = st.dictionaries(
    st.one_of(st.sampled_from(FIELDS), text.filter(bool)),
    st.one_of(values, st.lists(values, max_size=3)),
    max_size=6,
)


@pytest.mark.django_db
@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    console=st.booleans(),
    path_index=st.integers(min_value=0, max_value=20),
    method=st.sampled_from(["get", "post"]),
    data=form,
    query=form,
    raw=st.one_of(st.none(), st.binary(max_size=500)),
    content_type=st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/json",
            "text/plain",
        ]
    ),
)
def test_no_server_errors_on_malformed_input(
    alpha, django_settings_override, console, path_index, method, data, query, raw, content_type
):
    paths = CONSOLE_PATHS if console else SITE_PATHS
    path = paths[path_index % len(paths)]
    client = Client(HTTP_HOST="console.localhost") if console else site_client(alpha)
    client.raise_request_exception = False
    if method == "get":
        response = client.get(path, {**query, **data})
    elif raw is not None:
        response = client.generic(
            "POST",
            path + "?" + "&".join(f"{k}=v" for k in list(query)[:3]),
            raw,
            content_type=content_type,
        )
    else:
        response = client.post(path, data)
    assert response.status_code < 500, (method, path, data, response.status_code)


@pytest.fixture
def django_settings_override(settings):
    # Exercise the handlers themselves: no rate limiter, and (as Django's test client does)
    # no CSRF check, which would answer every POST with 403 before any handler ran.
    settings.RATE_LIMITS = {}
    return settings
