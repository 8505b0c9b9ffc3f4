"""The site admin's 办件: isolation between sites, actions by state, the dashboard's 我的待办
and the deadline mail."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from federation.casework import deadlines, services
from federation.casework.models import CaseStatus, CaseTask, TaskStatus
from security.audit.models import AuditEvent
from security.roles import CASE_HANDLER, EDITOR
from tests.clients import admin_client, site_client
from tests.factories import make_user

from .factories import APPLICANT, open_test_case, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def alpha_handler(alpha):
    return make_user(alpha, "banjian_a", role=CASE_HANDLER, email="banjian@alpha.example")


def test_each_site_lists_and_opens_only_its_own_tasks(alpha, beta):
    alone, _ = open_test_case(alpha, title="甲区独办事项")
    shared, _ = open_test_case(alpha, [beta], title="甲乙并联事项")
    mine = alone.attachments.create(
        name="x.pdf", path="none", size=1, content_type="application/pdf", sha256=""
    )
    a, b = admin_client(alpha), admin_client(beta)
    alpha_list = a.get("/admin/casework/").content.decode()
    beta_list = b.get("/admin/casework/").content.decode()
    assert alone.number in alpha_list and shared.number in alpha_list
    assert shared.number in beta_list and alone.number not in beta_list
    assert b.get(f"/admin/casework/{alone.number}/").status_code == 404
    assert b.get(f"/admin/casework/{alone.number}/files/{mine.pk}/").status_code == 404
    assert b.post(f"/admin/casework/{alone.number}/accept/").status_code == 404
    # Both handle the shared case: beta sees it, with alpha's part and the applicant.
    page = b.get(f"/admin/casework/{shared.number}/").content.decode()
    assert 'id="casework-parts"' in page and alpha.legal_name in page
    assert APPLICANT["name"] in page


def test_only_handlers_and_webmasters_handle_cases(alpha):
    case, _ = open_test_case(alpha)
    editor = make_user(alpha, "bianji", role=EDITOR)
    client = site_client(alpha, editor)
    # Wagtail answers a PermissionDenied in its admin with a redirect to the dashboard.
    for response in (
        client.get("/admin/casework/"),
        client.post(f"/admin/casework/{case.number}/accept/"),
    ):
        assert response.status_code == 302 and response["Location"] == "/admin/"
    assert case.tasks.get().status == TaskStatus.PENDING


def test_a_handler_accepts_starts_and_completes_with_a_result(alpha, alpha_handler):
    case, _ = open_test_case(alpha)
    client = site_client(alpha, alpha_handler)
    page = client.get(f"/admin/casework/{case.number}/").content.decode()
    assert "casework-action--accept" in page and "casework-action--complete" not in page
    client.post(f"/admin/casework/{case.number}/accept/", {"note": "材料齐全"})
    client.post(f"/admin/casework/{case.number}/start/")
    page = client.get(f"/admin/casework/{case.number}/").content.decode()
    assert "casework-action--complete" in page and "casework-action--accept" not in page
    bad = SimpleUploadedFile("决定书.pdf", b"<html>not a pdf</html>")
    response = client.post(
        f"/admin/casework/{case.number}/complete/", {"note": "准予", "files": [bad]}, follow=True
    )
    assert "不是可接受的文件类型" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS  # refused whole, nothing half-done
    client.post(
        f"/admin/casework/{case.number}/complete/",
        {"note": "准予许可", "files": [pdf("决定书.pdf")]},
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED
    result = case.attachments.get(is_result=True)
    download = client.get(f"/admin/casework/{case.number}/files/{result.pk}/")
    assert download.status_code == 200
    events = AuditEvent.objects.filter(
        schema_name="alpha", object_id=str(case.pk), object_type="casework.case"
    )
    assert set(events.filter(actor="banjian_a").values_list("event_type", flat=True)) == {
        "case.accept",
        "case.start",
        "case.complete",
        "case.download",  # a handler reading the applicant's files is recorded too
    }


def test_an_illegal_action_is_refused_with_a_message(alpha, alpha_handler):
    case, _ = open_test_case(alpha)
    client = site_client(alpha, alpha_handler)
    response = client.post(f"/admin/casework/{case.number}/complete/", follow=True)
    assert "办结未完成" in response.content.decode()
    response = client.post(f"/admin/casework/{case.number}/refuse/", {"note": ""}, follow=True)
    assert "请填写不予受理的理由" in response.content.decode()
    assert case.tasks.get().status == TaskStatus.PENDING


def test_the_lead_sees_every_part_and_waits_for_them(alpha, beta, alpha_handler):
    case, _ = open_test_case(alpha, [beta])
    client = site_client(alpha, alpha_handler)
    services.accept(case, alpha)
    client.post(f"/admin/casework/{case.number}/complete/", {"note": "x"})
    assert case.tasks.get(site=alpha).status == TaskStatus.ACCEPTED
    b = admin_client(beta)
    b.post(f"/admin/casework/{case.number}/accept/")
    b.post(f"/admin/casework/{case.number}/answer/", {"note": "同意", "internal": "1"})
    answered = case.steps.get(action="answer")
    assert not answered.public  # the departments read it; the applicant does not
    assert answered not in services.public_steps(case)
    page = client.get(f"/admin/casework/{case.number}/").content.decode()
    assert "同意" in page
    client.post(f"/admin/casework/{case.number}/complete/", {"note": "准予"})
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED


def test_overdue_first_and_filters(alpha):
    later, _ = open_test_case(alpha, days=10, title="后到期")
    overdue, _ = open_test_case(alpha, days=10, title="已超期")
    CaseTask.objects.filter(case=overdue).update(deadline=datetime.date(2026, 1, 5))
    page = admin_client(alpha).get("/admin/casework/").content.decode()
    assert page.index(overdue.number) < page.index(later.number)
    assert "已超期" in page
    only = admin_client(alpha).get("/admin/casework/?state=overdue").content.decode()
    assert overdue.number in only and later.number not in only


def test_dashboard_todo_and_deadline_mail_once_each(alpha, beta, mailoutbox):
    make_user(alpha, "banjian_mail", role=CASE_HANDLER, email="banjian@alpha.example")
    make_user(beta, "banjian_beta", role=CASE_HANDLER, email="banjian@beta.example")
    near, _ = open_test_case(alpha, [beta], days=1)
    far, _ = open_test_case(alpha, days=20)
    dashboard = admin_client(alpha).get("/admin/").content.decode()
    assert "办件临近或超过期限" in dashboard and near.number in dashboard
    assert far.number not in dashboard
    beta_dashboard = admin_client(beta).get("/admin/").content.decode()
    assert near.number in beta_dashboard and far.number not in beta_dashboard

    sent = deadlines.mail_deadlines()
    assert sent == 3  # alpha's part (to alpha), beta's part (to beta and to the lead, alpha)
    assert deadlines.mail_deadlines() == 0  # once
    recipients = sorted(address for m in mailoutbox for address in m.to)
    assert "banjian@beta.example" in recipients and "banjian@alpha.example" in recipients
    assert all(APPLICANT["name"] not in m.body for m in mailoutbox)
    # Past the deadline: the "after" mail, once.
    later = near.tasks.get(site=beta).deadline + datetime.timedelta(days=3)
    assert deadlines.mail_deadlines(today=later) == 3
    assert deadlines.mail_deadlines(today=later) == 0
    assert any("已超过办理期限" in m.subject for m in mailoutbox)


def test_the_list_costs_the_same_queries_for_more_cases(alpha):
    from tests.query_budget import assert_query_budget

    client = admin_client(alpha)
    counts = assert_query_budget(
        fetch=lambda: client.get("/admin/casework/"),
        add_items=lambda n: [open_test_case(alpha) for _ in range(n)],
        budget=30,
        sizes=(1, 8),
        label="办件 list",
        check=lambda response: response.status_code == 200,
    )
    assert counts[0] > 0
