"""A site suspended or frozen with cases open; the applicant's data exported and erased."""

import datetime
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from federation.casework import privacy, reliability, services, storage
from federation.casework.models import Case, CaseStatus, CaseTask, TaskStatus
from security.audit.models import AuditEvent
from security.roles import CASE_HANDLER
from tenants import services as sites
from tenants.models import Website
from tests.factories import make_user

from .factories import APPLICANT, open_test_case, pdf

pytestmark = pytest.mark.django_db


def test_a_suspended_department_s_task_waits_and_the_lead_is_told(alpha, beta, mailoutbox):
    make_user(alpha, "lead_handler", role=CASE_HANDLER, email="lead@alpha.example")
    case, _ = open_test_case(alpha, [beta])
    services.accept(case, beta)
    sites.set_status(beta, "suspended", "机构调整")
    task = case.tasks.get(site=beta)
    assert task.status == TaskStatus.ACCEPTED and task.waiting_since is not None  # kept
    assert case.steps.filter(action="site_waiting", public=False).exists()
    assert any("暂停办理" in m.subject and "lead@alpha.example" in m.to for m in mailoutbox)
    # The lead's view says so; nothing was closed.
    case.refresh_from_db()
    assert case.is_open
    sites.set_status(beta, "active")
    task.refresh_from_db()
    assert task.waiting_since is None and task.status == TaskStatus.ACCEPTED
    assert case.steps.filter(action="site_resumed").exists()
    services.answer(case, beta, note="同意")  # and it carries on


def test_a_frozen_department_waits_until_unfrozen(alpha, beta):
    case, _ = open_test_case(alpha, [beta])
    sites.freeze(beta, "安全事件处置")
    assert case.tasks.get(site=beta).waiting_since is not None
    # A case opened meanwhile waits from the start, and the applicant is told why.
    later, _ = open_test_case(alpha, [beta])
    assert later.tasks.get(site=beta).waiting_since is not None
    assert "暂停服务" in services.department_statuses(later)[1][1]
    sites.unfreeze(beta)
    assert case.tasks.get(site=beta).waiting_since is None
    assert later.tasks.get(site=beta).waiting_since is None


def test_export_of_one_applicant_and_erasure_after_retention(alpha, settings, tmp_path, committed):
    settings.CASEWORK_FILES_ROOT = tmp_path
    mine, _ = open_test_case(alpha, attachments=[("身份证明", pdf())])
    other, _ = open_test_case(alpha, applicant={"name": "李四", "phone": "13800000000"})
    data = privacy.export_applicant(APPLICANT["id_number"])
    assert [c["number"] for c in data["cases"]] == [mine.number]
    assert data["cases"][0]["applicant"]["phone"] == APPLICANT["phone"]
    assert data["cases"][0]["files"][0]["name"] == "材料.pdf"
    json.dumps(data, ensure_ascii=False)

    with pytest.raises(ValueError, match="尚未办结"):
        privacy.erase(mine)
    services.accept(mine, alpha)
    services.complete(mine, alpha, note=f"准予，申请人{APPLICANT['name']}")
    mine.refresh_from_db()
    folder = storage.case_folder(mine)
    assert folder.exists()
    assert privacy.erase_expired() == 0  # within retention
    later = mine.retention_until + datetime.timedelta(days=1)
    with committed():  # the files go once the erasure has committed
        assert privacy.erase_expired(today=later) == 1
    mine.refresh_from_db()
    assert mine.applicant == {} and mine.content == {} and mine.erased_at
    assert not mine.attachments.exists() and not folder.exists()
    assert APPLICANT["name"] not in " ".join(mine.steps.values_list("note", flat=True))
    assert mine.status == CaseStatus.COMPLETED and mine.number  # the figures keep it
    assert Case.objects.get(pk=other.pk).applicant["name"] == "李四"
    assert privacy.export_applicant(APPLICANT["id_number"])["cases"] == []


def test_console_export_and_erase_for_operators_only(alpha):
    case, _ = open_test_case(alpha)
    services.accept(case, alpha)
    services.complete(case, alpha)
    Case.objects.filter(pk=case.pk).update(
        retention_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    get_user_model().objects.create_user("citizen", password="Citizen-Pass-2026")
    outsider = Client(HTTP_HOST="console.localhost")
    outsider.post("/login/", {"username": "citizen", "password": "Citizen-Pass-2026"})
    assert outsider.get("/cases/").status_code == 302
    outsider.post("/cases/", {"action": "erase"})
    assert Case.objects.get(pk=case.pk).erased_at is None

    get_user_model().objects.create_user("ops", password="Operator-Pass-2026", is_staff=True)
    console = Client(HTTP_HOST="console.localhost")
    console.post("/login/", {"username": "ops", "password": "Operator-Pass-2026"})
    assert "1 件" in console.get("/cases/").content.decode()
    export = console.post("/cases/", {"action": "export", "identifier": APPLICANT["phone"]})
    assert export["Content-Disposition"].startswith("attachment")
    assert json.loads(export.content)["cases"][0]["number"] == case.number
    console.post("/cases/", {"action": "erase"})
    assert Case.objects.get(pk=case.pk).erased_at is not None


def test_erase_command(alpha, capsys):
    case, _ = open_test_case(alpha)
    services.refuse(case, alpha, reason="不属于受理范围")
    Case.objects.filter(pk=case.pk).update(
        retention_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    call_command("erase_expired_cases", "--dry-run")
    assert case.number in capsys.readouterr().out
    call_command("erase_expired_cases")
    assert Case.objects.get(pk=case.pk).applicant == {}


def _waiting_since(task, day):
    """The task began waiting on `day` (the suspension happened then)."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    type(task).objects.filter(pk=task.pk).update(waiting_since=moment)


def test_a_returning_department_s_deadline_moves_by_the_working_days_it_waited(alpha, beta):
    """Suspended on 30 September 2026, back on 9 October: the National Day holiday (1–7
    October) cost nothing, 8 and 9 October did. Its deadline of 9 October moves two working
    days, to Saturday 10 October (a make-up working day) and Monday 12 October."""
    case, _ = open_test_case(alpha, [beta])
    sites.set_status(beta, "suspended", "机构调整")
    task = case.tasks.get(site=beta)
    lead = case.tasks.get(site=alpha)
    CaseTask.objects.filter(pk=task.pk).update(deadline=datetime.date(2026, 10, 9))
    _waiting_since(task, datetime.date(2026, 9, 30))
    Website.objects.filter(pk=beta.pk).update(status="active")
    beta.refresh_from_db()

    assert reliability.site_availability_changed(beta, True, today=datetime.date(2026, 10, 9))
    task.refresh_from_db()
    assert task.waiting_since is None
    assert task.deadline == datetime.date(2026, 10, 12)
    # Only the waiting department's part moved: the lead's part and the case keep theirs.
    assert case.tasks.get(site=alpha).deadline == lead.deadline
    case.refresh_from_db()
    assert case.deadline == lead.deadline
    step = case.steps.get(action="site_resumed")
    assert "2 个工作日" in step.note and "2026年10月12日" in step.note
    audited = AuditEvent.objects.filter(
        event_type="case.site_resumed", schema_name=beta.schema_name
    )
    assert audited.get().changes == {
        "waited_working_days": 2,
        "deadline": ["2026-10-09", "2026-10-12"],
    }


def test_the_lead_s_return_moves_the_case_deadline_and_a_same_day_return_moves_nothing(alpha, beta):
    case, _ = open_test_case(alpha, [beta])
    deadline = case.deadline
    sites.set_status(alpha, "suspended", "系统升级")
    sites.set_status(alpha, "active")  # back the same day: no working day lost
    case.refresh_from_db()
    assert case.deadline == deadline and case.tasks.get(site=alpha).deadline == deadline
    assert "顺延" not in case.steps.get(action="site_resumed").note

    sites.set_status(alpha, "suspended", "系统升级")
    lead = case.tasks.get(site=alpha)
    started = timezone.localdate() - datetime.timedelta(days=14)
    _waiting_since(lead, started)
    sites.set_status(alpha, "active")  # through the signal, as the console does it
    lead.refresh_from_db()
    case.refresh_from_db()
    # Two calendar weeks hold at least 8 working days whatever the holidays (none is longer
    # than 8 days), and the deadline moved past them.
    assert lead.deadline >= deadline + datetime.timedelta(days=10)
    assert case.deadline == lead.deadline
    assert case.tasks.get(site=beta).deadline == deadline  # the other department's stays
