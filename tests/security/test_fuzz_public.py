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


# --- the public's interaction paths (issue 15): letters, 找错, 依申请公开, the message board,
# surveys, solicitations, an interview's questions and its live poll --------------------------

INTERACTION_FIELDS = [
    *FIELDS,
    "category",
    "title",
    "content",
    "name",
    "phone",
    "email",
    "publish_allowed",
    "attachment",
    "client_token",
    "page_url",
    "description",
    "contact",
    "id_number",
    "address",
    "information",
    "purpose",
    "delivery",
    "subject",
    "author_name",
]
# Values a form may take for what they are, so some requests get past the first check.
PLAUSIBLE = st.sampled_from(
    ["咨询", "13912345678", "/gzdt/", "email", "on", "张三", "a@b.cn", "0", "1", "3", "x" * 101]
)
interaction_form = st.dictionaries(
    st.one_of(st.sampled_from(INTERACTION_FIELDS), st.from_regex(r"q[0-9]{1,4}", fullmatch=True)),
    st.one_of(values, PLAUSIBLE, st.lists(st.one_of(values, PLAUSIBLE), max_size=3)),
    max_size=10,
)
# A submission that was stored says so: the letters' receipt or the interaction pages' page.
ACCEPTED_MARKS = ("page-received", "page-submitted")


@pytest.fixture
def interaction_paths(alpha, in_site):
    from tests.sites.interaction import helpers

    with in_site(alpha):
        board = helpers.board()
        survey = helpers.survey()
        solicitation = helpers.survey(
            kind="solicitation", questions=[("text", "您对草案的意见", "", True)]
        )
        interview = helpers.interview()
        # question keys that exist, for the survey forms' q<pk> fields
        question_ids = [q.pk for q in (*survey.questions.all(), *solicitation.questions.all())]
        paths = [
            "/xinxiang/ldxx/write/",
            "/xinxiang/szxx/write/",  # not alpha's mailbox: 404, never 500
            "/zhaocuo/",
            "/ysqgk/",
            f"{board.url}write/",
            survey.url,
            solicitation.url,
            f"{interview.url}ask/",
            f"{interview.url}transcript/",
            "/xinxiang/query/",
        ]
    return paths, question_ids


def _stored(alpha, in_site) -> tuple:
    from federation.casework.models import Case, CaseAttachment
    from sites.interaction.models import BoardPost, InterviewQuestion, SurveyResponse

    with in_site(alpha):
        interaction = (
            BoardPost.objects.count(),
            SurveyResponse.objects.count(),
            InterviewQuestion.objects.count(),
        )
    return (Case.objects.count(), CaseAttachment.objects.count(), *interaction)


@pytest.mark.django_db
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    path_index=st.integers(min_value=0, max_value=40),
    method=st.sampled_from(["get", "post", "post", "post"]),
    data=interaction_form,
    query=form,
    question=st.integers(min_value=0, max_value=10),
    etag=st.one_of(st.none(), text, st.sampled_from(['"t1-0"', "*", '"' * 50, "\x00"])),
    raw=st.one_of(st.none(), st.binary(max_size=500)),
)
def test_interaction_paths_never_fail_and_store_nothing_they_reject(
    alpha,
    in_site,
    interaction_settings,
    interaction_paths,
    path_index,
    method,
    data,
    query,
    question,
    etag,
    raw,
):
    paths, question_ids = interaction_paths
    path = paths[path_index % len(paths)]
    # One real question key among the random ones, so a survey form sees a field it knows.
    data = {**data, f"q{question_ids[question % len(question_ids)]}": data.get("content", "1")}
    client = site_client(alpha)
    client.raise_request_exception = False
    headers = {"HTTP_IF_NONE_MATCH": etag} if etag is not None else {}
    before = _stored(alpha, in_site)
    if method == "get":
        response = client.get(path, {**query, **data}, **headers)
    elif raw is not None:
        response = client.generic("POST", path, raw, content_type="multipart/form-data; boundary=x")
    else:
        response = client.post(path, data, **headers)
    assert response.status_code < 500, (method, path, data, response.status_code)
    after = _stored(alpha, in_site)
    if after != before:
        body = response.content.decode(errors="replace") if not response.streaming else ""
        assert response.status_code == 200 and any(mark in body for mark in ACCEPTED_MARKS), (
            "stored without telling the citizen it was accepted",
            method,
            path,
            data,
            before,
            after,
        )


@pytest.fixture
def interaction_settings(settings):
    # As django_settings_override, and django-ratelimit's per-view limits off too: the fuzzer
    # must reach the forms' own checks, not the "too many submissions" answer.
    settings.RATE_LIMITS = {}
    settings.RATELIMIT_ENABLE = False
    return settings
