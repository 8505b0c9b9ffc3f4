"""The case machine: every transition, the illegal ones refused, parallel parts, routing."""

import datetime
import logging

import pytest
from django.utils import timezone

from federation.casework import services
from federation.casework.models import Case, CaseStatus, CaseStep, CaseTask, TaskStatus
from federation.casework.services import CaseError, IllegalTransition, NotAddressed
from security.audit.models import AuditEvent
from tests.factories import make_user

from .factories import APPLICANT, LETTER, open_test_case, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def handler(alpha):
    return make_user(alpha, "handler_a", email="handler@alpha.example")


def statuses(case):
    case.refresh_from_db()
    return case.status, {t.site.schema_name: t.status for t in case.tasks.select_related("site")}


def test_open_case_number_code_deadline_and_tasks(alpha, beta):
    case, code = open_test_case(alpha, [beta], attachments=[("身份证明", pdf())])
    assert case.number.startswith("TS" + timezone.localdate().strftime("%Y%m%d"))
    assert len(code) == 8 and code not in case.query_code_hash
    assert services.find_case(case.number, code) == case
    assert services.find_case(case.number, code.lower()) == case  # as the applicant types it
    assert services.find_case(case.number, "WRONG123") is None
    assert services.find_case("TS0000", code) is None
    roles = {t.site.schema_name: t.role for t in case.tasks.select_related("site")}
    assert roles == {"alpha": "lead", "beta": "parallel"}
    assert case.deadline and case.status == CaseStatus.SUBMITTED
    assert case.attachments.get().label == "身份证明"
    second, _ = open_test_case(alpha)
    assert int(second.number[-5:]) == int(case.number[-5:]) + 1
    # Every addressed site's trail records the new case (number only).
    assert AuditEvent.objects.filter(schema_name="beta", event_type="case.open").exists()


def test_same_client_token_makes_one_case_and_shows_the_same_code(alpha):
    first, code = open_test_case(alpha, client_token="token-1")
    again, code_again = open_test_case(alpha, client_token="token-1", title="再次提交")
    assert again.pk == first.pk and code_again == code
    assert Case.objects.filter(client_token="token-1").count() == 1
    # After the replay window the case is still found, the code no longer shown.
    Case.objects.filter(pk=first.pk).update(opened_at=timezone.now() - datetime.timedelta(hours=2))
    later, later_code = open_test_case(alpha, client_token="token-1")
    assert later.pk == first.pk and later_code is None


def test_single_site_journey(alpha, handler):
    case, code = open_test_case(alpha)
    services.accept(case, alpha, user=handler, note="材料齐全")
    assert statuses(case) == (CaseStatus.ACCEPTED, {"alpha": TaskStatus.ACCEPTED})
    services.start(case, alpha, user=handler)
    assert statuses(case) == (CaseStatus.IN_PROGRESS, {"alpha": TaskStatus.IN_PROGRESS})
    services.complete(
        case, alpha, user=handler, note="准予许可", files=[("决定书", pdf("决定书.pdf"))]
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED and case.closed_at and case.retention_until
    assert case.attachments.get(is_result=True).name == "决定书.pdf"
    assert list(case.steps.values_list("action", flat=True)) == [
        "open",
        "accept",
        "start",
        "complete",
    ]
    task = case.tasks.get()
    assert task.handler == "handler_a" and task.handler_email == "handler@alpha.example"
    trail = AuditEvent.objects.filter(
        schema_name="alpha", object_type="casework.case", object_id=str(case.pk)
    )
    assert set(trail.values_list("event_type", flat=True)) == {
        "case.open",
        "case.accept",
        "case.start",
        "case.complete",
    }
    # Closed: nothing more happens to it.
    with pytest.raises(IllegalTransition, match="已办结"):
        services.start(case, alpha, user=handler)


def test_supplement_requested_and_answered_on_the_same_case(alpha, handler):
    case, _ = open_test_case(alpha)
    with pytest.raises(CaseError, match="请填写"):
        services.request_supplement(case, alpha, user=handler, missing="  ")
    services.request_supplement(case, alpha, user=handler, missing="请补充营业执照副本")
    assert statuses(case) == (CaseStatus.SUPPLEMENT, {"alpha": TaskStatus.SUPPLEMENT})
    with pytest.raises(IllegalTransition):
        services.accept(case, alpha, user=handler)
    with pytest.raises(CaseError, match="补正说明"):
        services.answer_supplement(case)
    services.answer_supplement(case, note="已补充", files=[("营业执照", pdf("执照.pdf"))])
    assert statuses(case) == (CaseStatus.SUBMITTED, {"alpha": TaskStatus.PENDING})
    assert case.attachments.get().label == "营业执照"
    with pytest.raises(IllegalTransition, match="不需要补正"):
        services.answer_supplement(case, note="又补了一次")
    # A supplement asked after acceptance goes back to where the task was.
    services.accept(case, alpha, user=handler)
    services.start(case, alpha, user=handler)
    services.request_supplement(case, alpha, user=handler, missing="现场照片")
    services.answer_supplement(case, note="照片已上传")
    assert statuses(case) == (CaseStatus.IN_PROGRESS, {"alpha": TaskStatus.IN_PROGRESS})


def test_refusal_by_the_lead_closes_every_part(alpha, beta, handler):
    case, _ = open_test_case(alpha, [beta])
    with pytest.raises(CaseError, match="理由"):
        services.refuse(case, alpha, user=handler, reason="")
    services.refuse(case, alpha, user=handler, reason="不属于本机关职责范围")
    assert statuses(case) == (
        CaseStatus.REFUSED,
        {"alpha": TaskStatus.REFUSED, "beta": TaskStatus.CLOSED},
    )
    with pytest.raises(IllegalTransition):
        services.accept(case, beta)


def test_parallel_approval_the_lead_completes_when_all_have_answered(alpha, beta, handler):
    case, _ = open_test_case(alpha, [(beta, 3)], days=10)
    lead, other = case.tasks.get(site=alpha), case.tasks.get(site=beta)
    assert other.deadline < lead.deadline  # each part has its own deadline
    services.accept(case, alpha, user=handler)
    services.start(case, alpha, user=handler)
    with pytest.raises(IllegalTransition, match=beta.short_name):
        services.complete(case, alpha, user=handler)
    with pytest.raises(NotAddressed):
        services.complete(case, beta)
    services.accept(case, beta)
    services.start(case, beta)
    services.answer(case, beta, note="同意", files=[("审查意见", pdf("意见.pdf"))])
    assert statuses(case)[1] == {"alpha": TaskStatus.IN_PROGRESS, "beta": TaskStatus.ANSWERED}
    with pytest.raises(IllegalTransition):
        services.answer(case, beta, note="再答一次")
    services.complete(case, alpha, user=handler, note="准予")
    assert statuses(case) == (
        CaseStatus.COMPLETED,
        {"alpha": TaskStatus.ANSWERED, "beta": TaskStatus.ANSWERED},
    )
    assert [w for _, w, _ in services.department_statuses(case)] == ["已办理", "已办理"]


def test_a_parallel_refusal_is_that_part_s_answer(alpha, beta):
    case, _ = open_test_case(alpha, [beta])
    services.accept(case, alpha)
    services.refuse(case, beta, reason="不符合条件")
    assert statuses(case) == (
        CaseStatus.IN_PROGRESS,
        {"alpha": TaskStatus.ACCEPTED, "beta": TaskStatus.REFUSED},
    )
    case, _ = services.complete(case, alpha, note="部分不予许可")
    assert case.status == CaseStatus.COMPLETED


def test_a_site_without_a_part_cannot_act(alpha, beta):
    case, _ = open_test_case(alpha)
    with pytest.raises(NotAddressed):
        services.accept(case, beta)
    assert not services.handles(case, beta) and services.handles(case, alpha)


def test_illegal_transitions_are_refused_in_chinese(alpha):
    case, _ = open_test_case(alpha)
    for action in (services.start, services.complete):
        with pytest.raises(IllegalTransition) as refused:
            action(case, alpha)
        assert isinstance(refused.value, ValueError) and "待受理" in str(refused.value)
    with pytest.raises(IllegalTransition):
        services.answer(case, alpha)
    with pytest.raises(IllegalTransition, match="转办来的"):
        services.return_routing(case, alpha, reason="不是本单位")
    assert statuses(case) == (CaseStatus.SUBMITTED, {"alpha": TaskStatus.PENDING})
    assert list(case.steps.values_list("action", flat=True)) == ["open"]


def test_a_kind_without_supplement_refuses_it(alpha):
    case, _ = open_test_case(alpha, kind=LETTER)
    assert case.number.startswith("TL")
    with pytest.raises(IllegalTransition, match="没有“要求补正”"):
        services.request_supplement(case, alpha, missing="x")


def test_routing_and_returning(alpha, beta):
    case, _ = open_test_case(alpha, kind=LETTER)
    with pytest.raises(CaseError, match="另一个"):
        services.route(case, alpha, alpha, note="自己")
    services.route(case, alpha, beta, note="请乙局办理")
    assert statuses(case)[1] == {"alpha": TaskStatus.ROUTED, "beta": TaskStatus.PENDING}
    routed = case.tasks.get(site=beta)
    assert routed.role == CaseTask.Role.ROUTED and routed.routed_from.site == alpha
    services.return_routing(case, beta, reason="不属于本局职责")
    assert statuses(case)[1] == {"alpha": TaskStatus.PENDING, "beta": TaskStatus.RETURNED}
    # Routed again, answered there, completed by the lead.
    services.route(case, alpha, beta, note="经核实属乙局职责")
    services.accept(case, beta)
    services.answer(case, beta, note="已答复")
    services.complete(case, alpha, note="已答复来信人")
    assert statuses(case)[0] == CaseStatus.COMPLETED
    assert case.tasks.filter(site=beta).count() == 2


def test_extend_once_with_a_reason(alpha, beta):
    case, _ = open_test_case(alpha, [beta], days=5)
    lead = case.tasks.get(site=alpha)
    with pytest.raises(CaseError, match="1 到 60"):
        services.extend(case, alpha, working_days=0, reason="需要现场核查")
    services.extend(case, alpha, working_days=5, reason="需要现场核查")
    lead_after = case.tasks.get(site=alpha)
    case.refresh_from_db()
    assert lead_after.deadline > lead.deadline and lead_after.extended
    assert case.deadline == lead_after.deadline
    with pytest.raises(IllegalTransition, match="只能延长一次"):
        services.extend(case, alpha, working_days=5, reason="再延")
    services.extend(case, beta, working_days=2, reason="会商")  # the other part's own once


def test_personal_data_stays_out_of_logs_and_the_trail(alpha, beta, caplog):
    caplog.set_level(logging.DEBUG)
    case, _ = open_test_case(alpha, [beta])
    services.accept(case, alpha)
    services.request_supplement(case, alpha, missing="补充材料")
    services.answer_supplement(case, note="已补充")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    events = AuditEvent.objects.filter(object_type="casework.case", object_id=str(case.pk))
    trail = " ".join(f"{e.object_repr} {e.changes} {e.message}" for e in events)
    assert case.number in trail
    for value in APPLICANT.values():
        assert value not in logged and value not in trail
    assert str(case) == case.number and APPLICANT["name"] not in repr(case)


def test_a_bad_upload_refuses_the_case_and_keeps_nothing(alpha):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("照片.jpg", b"MZ\x90\x00 not an image")
    with pytest.raises(services.UploadRejected, match="不是可接受的文件类型"):
        open_test_case(alpha, attachments=[fake])
    renamed = SimpleUploadedFile("材料.png", pdf().read())
    with pytest.raises(services.UploadRejected, match="扩展名与内容不符"):
        open_test_case(alpha, attachments=[renamed])
    assert not Case.objects.exists() and not CaseStep.objects.exists()


def test_deadlines_count_working_days_across_holidays(alpha, beta):
    shanghai = datetime.timezone(datetime.timedelta(hours=8))
    opened = datetime.datetime(2026, 2, 13, 10, 0, tzinfo=shanghai)  # Friday before 春节
    case, _ = open_test_case(alpha, [(beta, 1)], days=2, opened_at=opened)
    # Saturday 14 February is a make-up working day; 15–23 February are holidays.
    assert case.deadline == datetime.date(2026, 2, 24) and not case.deadline_assumed
    assert case.tasks.get(site=beta).deadline == datetime.date(2026, 2, 14)
    national_day, _ = open_test_case(
        alpha, days=3, opened_at=datetime.datetime(2026, 9, 30, 9, 0, tzinfo=shanghai)
    )
    assert national_day.deadline == datetime.date(2026, 10, 10)  # 8, 9, Saturday 10 (调休)


def test_a_deadline_in_an_unknown_year_is_flagged_on_the_case(alpha):
    from django.test import Client

    shanghai = datetime.timezone(datetime.timedelta(hours=8))
    opened = datetime.datetime(2026, 12, 23, 9, 0, tzinfo=shanghai)
    case, code = open_test_case(alpha, days=20, opened_at=opened)
    assert case.deadline == datetime.date(2027, 1, 20) and case.deadline_assumed
    client = Client(HTTP_HOST=alpha.primary_domain)
    client.post("/banjian/", {"number": case.number, "code": code})
    assert 'id="deadline-assumed"' in client.get(f"/banjian/{case.number}/").content.decode()


def test_the_applicant_is_mailed_what_needs_them_and_the_outcome(alpha, mailoutbox, committed):
    case, code = open_test_case(alpha)
    with committed():
        services.accept(case, alpha)
        services.request_supplement(case, alpha, missing="请补充房屋租赁合同")
    [asked] = mailoutbox
    assert asked.to == [APPLICANT["email"]] and case.number in asked.subject
    assert "请补充房屋租赁合同" in asked.body and code not in asked.body
    with committed():
        services.answer_supplement(case, note="已补充")
        services.complete(case, alpha, note="准予许可")
    assert len(mailoutbox) == 2 and "已办结" in mailoutbox[1].subject
    no_email, _ = open_test_case(alpha, applicant={"name": "王五"})
    with committed():
        services.refuse(no_email, alpha, reason="不属于受理范围")
    assert len(mailoutbox) == 2
