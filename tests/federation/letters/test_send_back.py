"""The office's review sends a department's answer back for rework (退回重办): the department
reads the reason in its list, answers again, the office approves; every step is in both
sites' audit trails, and the writer's status page never shows the reason."""

import pytest
from django.test import Client

from federation.casework.models import CaseStep, CaseTask, TaskStatus
from security.audit.models import AuditEvent
from tests.clients import admin_client

from .test_letters import LETTER, act, write

pytestmark = pytest.mark.django_db

FIRST = "经核查，该工地手续齐全。"
REASON = "答复未说明夜间施工许可的期限，请补充核查结果后重新答复。"
SECOND = "经核查，该工地夜间施工许可已于本月到期，已责令22时后停止施工。"


def status_page(site, case, code) -> str:
    citizen = Client(HTTP_HOST=site.primary_domain)
    response = citizen.post("/banjian/", {"number": case.number, "code": code}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_the_office_sends_an_answer_back_and_approves_the_rework(portal, alpha, beta):
    case, code = write(portal, dict(LETTER, title="工地夜间施工扰民"), slug="szxx")
    act(portal, case.number, "route", to_site=alpha.pk, note="请核查", working_days=10)
    act(alpha, case.number, "answer", reply=FIRST)

    response = act(portal, case.number, "send_back", to_site=alpha.pk, reason=REASON)
    assert response.status_code == 302
    task = CaseTask.objects.get(case=case, site=alpha)
    assert task.status == TaskStatus.IN_PROGRESS and task.answered_at is None
    # The department reads the reason in its list and on the letter.
    listing = admin_client(alpha).get("/admin/letters/").content.decode()
    assert case.number in listing and REASON in listing
    detail = admin_client(alpha).get(f"/admin/letters/{case.number}/").content.decode()
    assert REASON in detail and 'id="form-answer"' in detail
    # Another department neither lists it nor opens it.
    assert case.number not in admin_client(beta).get("/admin/letters/").content.decode()
    assert admin_client(beta).get(f"/admin/letters/{case.number}/").status_code == 404
    # The office cannot close the case while the department reworks its answer.
    act(portal, case.number, "review", reply=FIRST, publish="", public_title="", public_content="")
    case.refresh_from_db()
    assert case.is_open

    # The writer sees the letter being worked on, never the reason or the answer sent back.
    page = status_page(portal, case, code)
    assert "办理中" in page
    assert REASON not in page and FIRST not in page

    act(alpha, case.number, "answer", reply=SECOND)
    assert CaseTask.objects.get(case=case, site=alpha).status == TaskStatus.ANSWERED
    assert REASON not in admin_client(alpha).get("/admin/letters/").content.decode()
    office = admin_client(portal).get(f"/admin/letters/{case.number}/").content.decode()
    assert SECOND in office
    act(portal, case.number, "review", reply=SECOND, publish="", public_title="", public_content="")
    case.refresh_from_db()
    assert case.status == "completed" and case.result_note == SECOND

    step = CaseStep.objects.get(case=case, action="send_back")
    assert not step.public and step.site == portal and step.task == task
    for schema in (portal.schema_name, alpha.schema_name):
        assert AuditEvent.objects.filter(
            schema_name=schema, event_type="case.send_back", object_repr=case.number
        ).exists(), schema
    assert not AuditEvent.objects.filter(
        schema_name=beta.schema_name, event_type="case.send_back"
    ).exists()
    page = status_page(portal, case, code)
    assert "已办结" in page and SECOND in page
    assert REASON not in page and FIRST not in page


def test_only_an_answered_routing_of_the_office_can_be_sent_back(portal, alpha, beta):
    case, _ = write(portal, dict(LETTER, title="尚未答复的来信"), slug="szxx")
    act(portal, case.number, "route", to_site=alpha.pk, note="请核查", working_days=10)
    # Nothing answered yet: the office has no department to send back to.
    detail = admin_client(portal).get(f"/admin/letters/{case.number}/").content.decode()
    assert 'id="form-send_back"' not in detail
    response = act(portal, case.number, "send_back", to_site=alpha.pk, reason=REASON)
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    assert CaseTask.objects.get(case=case, site=alpha).status == TaskStatus.PENDING
    # A department cannot send anything back: the action is the office's.
    act(alpha, case.number, "answer", reply=FIRST)
    act(alpha, case.number, "send_back", to_site=portal.pk, reason=REASON)
    assert not CaseStep.objects.filter(case=case, action="send_back").exists()
    # A blank reason is refused with a message, nothing changes.
    blank = act(portal, case.number, "send_back", to_site=alpha.pk, reason="  ")
    assert blank.status_code == 200
    assert CaseTask.objects.get(case=case, site=alpha).status == TaskStatus.ANSWERED
