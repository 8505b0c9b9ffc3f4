"""The applicant's side on every site: number + code, never the number alone; guessing
slowed down and recorded; the answer to a 补正; result files only with the code."""

import re

import pytest
from django.test import Client

from federation.casework import services
from federation.casework.models import CaseStatus
from federation.casework.views import NOT_FOUND
from security.audit.models import AuditEvent

from .factories import APPLICANT, open_test_case, pdf

pytestmark = pytest.mark.django_db


def visitor(site):
    return Client(HTTP_HOST=site.primary_domain)


def sign_in(client, case, code):
    return client.post("/banjian/", {"number": case.number, "code": code})


def test_number_and_code_open_that_case_only(alpha, beta):
    case, code = open_test_case(alpha, [beta])
    other, other_code = open_test_case(alpha)
    client = visitor(alpha)
    assert client.get(f"/banjian/{case.number}/").status_code == 302  # the number alone: no
    response = sign_in(client, case, code.lower())
    assert response.status_code == 302 and response["Location"] == f"/banjian/{case.number}/"
    page = client.get(response["Location"]).content.decode()
    assert case.number in page and "已提交，等待受理" in page
    assert 'id="departments"' in page and beta.legal_name in page  # each department's status
    assert APPLICANT["id_number"] not in page
    # The grant is for that case only; the other needs its own code.
    assert client.get(f"/banjian/{other.number}/").status_code == 302
    assert sign_in(client, other, code).status_code == 400
    assert sign_in(client, other, other_code).status_code == 302
    # On another site the session (host-only) grants nothing.
    assert Client(HTTP_HOST=beta.primary_domain).get(f"/banjian/{case.number}/").status_code == 302


def test_a_wrong_code_answers_like_an_unknown_number_and_is_recorded(alpha):
    case, _ = open_test_case(alpha)
    client = visitor(alpha)
    wrong = sign_in(client, case, "AAAAAAAA")
    unknown = client.post("/banjian/", {"number": "TS2099010100001", "code": "AAAAAAAA"})
    assert wrong.status_code == unknown.status_code == 400
    assert NOT_FOUND in wrong.content.decode()

    def shown(response, number):
        page = response.content.decode().replace(number, "X")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)

    assert shown(wrong, case.number) == shown(unknown, "TS2099010100001")
    failed = AuditEvent.objects.filter(schema_name="alpha", event_type="case.query_failed")
    assert failed.count() == 2 and failed.filter(object_repr=case.number).exists()


def test_guessing_is_rate_limited_per_address(alpha, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "case_query": (3, 3600)}
    case, code = open_test_case(alpha)
    client = Client(HTTP_HOST=alpha.primary_domain, REMOTE_ADDR="203.0.113.9")
    for _ in range(3):
        assert sign_in(client, case, "BADCODE2").status_code == 400
    limited = sign_in(client, case, code)  # even the right code waits now
    assert limited.status_code == 429 and "查询失败次数过多" in limited.content.decode()
    other = Client(HTTP_HOST=alpha.primary_domain, REMOTE_ADDR="203.0.113.10")
    assert sign_in(other, case, code).status_code == 302


def test_supplement_answered_by_the_applicant_with_uploads(alpha):
    case, code = open_test_case(alpha)
    services.request_supplement(case, alpha, missing="请补充户口簿首页")
    client = visitor(alpha)
    sign_in(client, case, code)
    page = client.get(f"/banjian/{case.number}/").content.decode()
    assert "请补充户口簿首页" in page and 'id="supplement-form"' in page
    bad = client.post(
        f"/banjian/{case.number}/buzheng/",
        {"note": "见附件", "files": [pdf("户口簿.jpg")]},
    )
    assert bad.status_code == 400 and "扩展名与内容不符" in bad.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.SUPPLEMENT  # nothing lost, still waiting
    ok = client.post(
        f"/banjian/{case.number}/buzheng/", {"note": "见附件", "files": [pdf("户口簿.pdf")]}
    )
    assert ok.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED and case.attachments.count() == 1


def test_result_documents_download_with_the_code_only(alpha, beta):
    case, code = open_test_case(alpha)
    services.accept(case, alpha)
    services.complete(case, alpha, note="准予许可", files=[("许可决定书", pdf("决定书.pdf"))])
    result = case.attachments.get(is_result=True)
    url = f"/banjian/{case.number}/files/{result.pk}/"
    assert visitor(alpha).get(url).status_code == 404  # no code: nothing
    client = visitor(alpha)
    sign_in(client, case, code)
    page = client.get(f"/banjian/{case.number}/").content.decode()
    assert "已办结" in page and "许可决定书" in page
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert "no-store" in response["Cache-Control"]
    # The same session on another site, or another case's number: nothing.
    assert Client(HTTP_HOST=beta.primary_domain).get(url).status_code == 404
    other, _ = open_test_case(alpha)
    assert client.get(f"/banjian/{other.number}/files/{result.pk}/").status_code == 404


def test_hostile_numbers_never_break_the_pages(alpha):
    client = visitor(alpha)
    for number in ("%00", "TS%00", "../../etc", "x" * 300):
        assert client.get(f"/banjian/{number}/").status_code in (302, 404)
    response = client.post("/banjian/", {"number": "TS\x00", "code": "\x00"})
    assert response.status_code == 400
    from tests.clients import admin_client

    assert admin_client(alpha).get("/admin/casework/%00/").status_code == 404
