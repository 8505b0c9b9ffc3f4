"""Letters on the case machine (X1): submission, routing with working-day deadlines, the
department's answer or return, the office's review and publication without personal data;
isolation between departments; 找错; 依申请公开 with its extension and legal answer types."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from federation.casework.models import Case, CaseTask, TaskStatus
from federation.letters import services
from federation.letters.models import Letter, Mailbox
from tenants.models import CalendarEntry
from tenants.workdays import add_working_days, is_working_day
from tests.clients import admin_client

pytestmark = pytest.mark.django_db

LETTER = {
    "category": "投诉",
    "title": "小区噪音扰民",
    "content": "我是张三，电话13912345678，身份证150302199001011234，工地夜间施工。",
    "name": "张三",
    "phone": "13912345678",
    "publish_allowed": "on",
}


def write(site, data=None, slug="ldxx"):
    client = Client(HTTP_HOST=site.primary_domain)
    client.get(f"/xinxiang/{slug}/")  # mailboxes are made on first use
    response = client.post(f"/xinxiang/{slug}/write/", data or LETTER)
    html = response.content.decode()
    number = re.search(r'id="case-number">([^<]+)<', html)
    assert number, html[:3000]
    code = re.search(r'id="query-code">([^<]+)<', html).group(1)
    return Case.objects.get(number=number.group(1)), code


def act(site, number, action, **fields):
    data = {"action": action, **{f"{action}-{k}": v for k, v in fields.items()}}
    return admin_client(site).post(f"/admin/letters/{number}/", data)


def test_the_whole_journey_with_routing_review_and_publication(alpha, beta):
    case, code = write(alpha)
    box = Mailbox.objects.get(site=alpha, slug="ldxx")
    assert (
        case.deadline
        == add_working_days(timezone.localdate(case.opened_at), box.deadline_working_days).date
    )
    # The office routes it to the department, which sees it with its own deadline.
    response = act(
        alpha, case.number, "route", to_site=beta.pk, note="请核查工地施工许可", working_days=10
    )
    assert response.status_code == 302
    task = CaseTask.objects.get(case=case, site=beta)
    assert (
        task.role == "routed" and task.deadline == add_working_days(timezone.localdate(), 10).date
    )
    assert case.number in admin_client(beta).get("/admin/letters/").content.decode()
    # The department answers; the office sees the answer and reviews it.
    act(beta, case.number, "answer", reply="已责令工地22时后停止施工。联系人李四 0473-1234567")
    office = admin_client(alpha).get(f"/admin/letters/{case.number}/").content.decode()
    assert "已责令工地22时后停止施工" in office
    act(
        alpha,
        case.number,
        "review",
        reply="已责令工地22时后停止施工。联系人李四 0473-1234567",
        publish="on",
        public_title="小区噪音扰民",
        public_content=LETTER["content"],
    )
    case.refresh_from_db()
    assert case.status == "completed"
    letter = Letter.objects.get(case=case)
    assert letter.published and letter.reply_unit == beta.legal_name
    public = (
        Client(HTTP_HOST=alpha.primary_domain)
        .get(f"/xinxiang/ldxx/{case.number}/")
        .content.decode()
    )
    assert "工地夜间施工" in public and "已责令工地22时后停止施工" in public
    for personal in ("13912345678", "150302199001011234", "张三", "0473-1234567"):
        assert personal not in public, personal
    listing = Client(HTTP_HOST=alpha.primary_domain).get("/xinxiang/ldxx/").content.decode()
    assert "小区噪音扰民" in listing
    # The writer follows it with the number and code; a wrong code learns nothing.
    query = Client(HTTP_HOST=alpha.primary_domain)
    found = query.post(
        "/banjian/", {"number": case.number, "code": code}, follow=True
    ).content.decode()
    assert "已办结" in found and "转" in found
    wrong = Client(HTTP_HOST=alpha.primary_domain).post(
        "/banjian/", {"number": case.number, "code": "WRONG123"}
    )
    assert wrong.status_code == 400
    assert "受理编号和查询码" in wrong.content.decode()
    assert "小区噪音扰民" not in wrong.content.decode()


def test_the_old_query_address_moves_permanently_to_the_case_status_page(alpha, beta):
    case, code = write(alpha, dict(LETTER, title="路灯不亮"))
    act(alpha, case.number, "route", to_site=beta.pk, note="请维修路灯", working_days=10)
    client = Client(HTTP_HOST=alpha.primary_domain)
    moved = client.get(f"/xinxiang/query/?number={case.number}")
    assert moved.status_code == 301 and moved["Location"] == f"/banjian/?number={case.number}"
    form = client.get(moved["Location"]).content.decode()
    assert f'value="{case.number}"' in form
    # The receipt and the mailbox pages link to /banjian/ only.
    mailbox = client.get("/xinxiang/ldxx/").content.decode()
    assert 'href="/banjian/"' in mailbox and "/xinxiang/query/" not in mailbox
    # The case page shows what the old page did: title, number, status, deadline, history.
    page = client.post(
        "/banjian/", {"number": case.number, "code": code}, follow=True
    ).content.decode()
    assert "路灯不亮" in page and case.number in page
    assert "已受理" in page and case.deadline.strftime("%Y-%m-%d") in page
    assert "提交" in page and f"转{beta.short_name}办理：请维修路灯" in page
    assert "13912345678" not in page  # the writer's phone is never echoed


def test_a_letter_is_published_only_if_the_writer_allowed_it(alpha):
    data = dict(LETTER, title="不愿公开的来信")
    data.pop("publish_allowed")
    case, _ = write(alpha, data)
    act(
        alpha,
        case.number,
        "review",
        reply="已处理",
        publish="on",
        public_title="",
        public_content="",
    )
    assert not Letter.objects.get(case=case).published
    assert (
        "不愿公开的来信"
        not in Client(HTTP_HOST=alpha.primary_domain).get("/xinxiang/ldxx/").content.decode()
    )


def test_a_department_returns_a_routing_with_its_reason(alpha, beta):
    case, _ = write(alpha)
    act(alpha, case.number, "route", to_site=beta.pk, note="请办理", working_days=5)
    act(beta, case.number, "return", reason="不属于本局职责，应由住建局办理")
    lead = CaseTask.objects.get(case=case, site=alpha)
    assert lead.is_open and lead.status != TaskStatus.ROUTED
    office = admin_client(alpha).get(f"/admin/letters/{case.number}/").content.decode()
    assert "不属于本局职责，应由住建局办理" in office


def test_departments_see_only_what_is_addressed_to_them(alpha, beta, portal):
    mine, _ = write(alpha, dict(LETTER, title="交给乙局的来信"))
    other, _ = write(alpha, dict(LETTER, title="甲区自己办的来信"))
    act(alpha, mine.number, "route", to_site=beta.pk, note="请办理", working_days=10)
    beta_list = admin_client(beta).get("/admin/letters/").content.decode()
    assert "交给乙局的来信" in beta_list and "甲区自己办的来信" not in beta_list
    assert admin_client(beta).get(f"/admin/letters/{other.number}/").status_code == 404
    # The office sees what it routed, with the department's status.
    office = admin_client(alpha).get(f"/admin/letters/{mine.number}/").content.decode()
    assert f"转办：{beta.short_name}" in office
    # A third site sees neither.
    third = admin_client(portal).get("/admin/letters/").content.decode()
    assert mine.number not in third and other.number not in third


def test_deadlines_follow_the_holiday_calendar(alpha):
    before, _ = write(alpha, dict(LETTER, title="放假前"))
    start = timezone.localdate(before.opened_at)
    # An operator declares a working day inside the window a holiday: the deadline moves on.
    day = start + datetime.timedelta(days=1)
    while not is_working_day(day)[0]:
        day += datetime.timedelta(days=1)
    CalendarEntry.objects.create(date=day, kind=CalendarEntry.Kind.HOLIDAY, note="测试放假")
    after, _ = write(alpha, dict(LETTER, title="放假后"))
    assert after.deadline > before.deadline
    assert after.deadline == add_working_days(start, 10).date


def test_an_error_report_goes_to_the_webmaster_within_three_working_days(alpha):
    client = Client(HTTP_HOST=alpha.primary_domain)
    form = client.get("/zhaocuo/", {"url": "/gzdt/some-page/"}).content.decode()
    assert 'value="/gzdt/some-page/"' in form
    bad = client.post(
        "/zhaocuo/", {"page_url": "https://evil.example/", "description": "x"}
    ).content.decode()
    assert "请填写本网站的网页地址" in bad
    client.post(
        "/zhaocuo/", {"page_url": "/gzdt/some-page/", "description": "第二段“环镜”应为“环境”"}
    )
    letter = Letter.objects.get(kind="zhaocuo", page_url="/gzdt/some-page/")
    assert letter.case.lead_site == alpha
    assert (
        letter.case.deadline == add_working_days(timezone.localdate(letter.case.opened_at), 3).date
    )
    assert (
        letter.case.number
        in admin_client(alpha).get("/admin/letters/?kind=zhaocuo").content.decode()
    )


def test_a_disclosure_request_is_extended_once_and_answered_with_a_legal_type(alpha):
    client = Client(HTTP_HOST=alpha.primary_domain)
    html = client.post(
        "/ysqgk/",
        {
            "name": "王五",
            "id_number": "150302199001011234",
            "phone": "13900000000",
            "address": "乌海市海勃湾区",
            "email": "",
            "information": "2025年城市道路维修资金使用情况",
            "purpose": "",
            "delivery": "email",
        },
    ).content.decode()
    number = re.search(r'id="case-number">([^<]+)<', html).group(1)
    case = Case.objects.get(number=number)
    assert case.deadline == add_working_days(timezone.localdate(case.opened_at), 20).date
    act(alpha, number, "extend", reason="需要征求第三方意见")
    task = CaseTask.objects.get(case=case, site=alpha)
    assert task.extended and task.deadline == add_working_days(case.deadline, 20).date
    page = admin_client(alpha).get(f"/admin/letters/{number}/").content.decode()
    assert "form-extend" not in page  # only once
    refused = act(
        alpha,
        number,
        "disclose",
        answer_type="withheld",
        ground="",
        referral="",
        reply="不予公开",
        delivery="email",
    )
    assert "请写明理由和法律依据" in refused.content.decode()
    act(
        alpha,
        number,
        "disclose",
        answer_type="partly",
        ground="涉及商业秘密（条例第十五条）",
        referral="",
        reply="部分公开，见附件",
        delivery="email",
    )
    case.refresh_from_db()
    assert case.status == "completed"
    outcomes = dict(
        services.disclosure_outcomes(alpha, timezone.localdate(case.opened_at).year)["outcomes"]
    )
    assert outcomes["部分公开"] == 1 and outcomes["予以公开"] == 0
    stats = admin_client(alpha).get("/admin/letters/statistics/").content.decode()
    assert "部分公开" in stats


def test_monthly_statistics_count_received_answered_and_on_time(alpha, beta):
    routed, _ = write(alpha, dict(LETTER, category="建议"))
    write(alpha)
    act(alpha, routed.number, "route", to_site=beta.pk, note="请办理", working_days=10)
    act(beta, routed.number, "answer", reply="采纳")
    act(
        alpha, routed.number, "review", reply="采纳", publish="", public_title="", public_content=""
    )
    stats = services.monthly_statistics(Mailbox.objects.get(site=alpha, slug="ldxx"))
    assert stats["received"] >= 2 and stats["answered"] >= 1 and stats["on_time"] >= 1
    assert dict(stats["by_department"])[beta.short_name] >= 1
    assert dict(stats["by_category"])["建议"] >= 1
    public = Client(HTTP_HOST=alpha.primary_domain).get("/xinxiang/ldxx/").content.decode()
    assert 'class="bar-chart"' in public and "按转办部门" in public


def test_a_fake_attachment_is_refused_and_nothing_is_kept(alpha):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = Client(HTTP_HOST=alpha.primary_domain)
    client.get("/xinxiang/ldxx/")
    fake = SimpleUploadedFile(
        "scan.pdf", b"MZ\x90\x00 this is a program", content_type="application/pdf"
    )
    html = client.post(
        "/xinxiang/ldxx/write/", dict(LETTER, title="带附件的来信", attachment=fake)
    ).content.decode()
    assert "case-number" not in html and "带附件的来信" in html  # the form comes back, filled
    assert not Case.objects.filter(title="带附件的来信").exists()


def test_the_indicator_vetoes_messages_unanswered_for_three_months(alpha, beta):
    """Through monitoring's real scorecard (SCORECARD_INDICATORS): a letter to alpha still open
    after 90 days is a veto on alpha's card, not on beta's."""
    from federation.monitoring import scorecards

    def vetoes(website, day):
        card = scorecards.compute_scorecard(website, day=day)
        return [
            f.title
            for f in card.findings.all()
            if f.indicator == "interaction.unanswered" and f.severity == "veto"
        ]

    write(alpha, dict(LETTER, title="久未答复"))
    today = timezone.localdate()
    assert vetoes(alpha, today) == []
    later = today + datetime.timedelta(days=91)
    assert vetoes(alpha, later) == ["1 件来信或申请超过 90 天未答复"]
    assert vetoes(beta, later) == []


def test_a_routed_letter_past_its_deadline_is_escalated_to_the_office(alpha, beta, mailoutbox):
    from federation.casework import deadlines
    from security.roles import CASE_HANDLER
    from tests.factories import make_user

    make_user(alpha, "office_mail", role=CASE_HANDLER, email="office@alpha.example")
    make_user(beta, "dept_mail", role=CASE_HANDLER, email="dept@beta.example")
    case, _ = write(alpha, dict(LETTER, title="超期的来信"))
    act(alpha, case.number, "route", to_site=beta.pk, note="请办理", working_days=2)
    routed = CaseTask.objects.get(case=case, site=beta)
    deadlines.mail_deadlines(today=routed.deadline + datetime.timedelta(days=1))
    overdue = [m for m in mailoutbox if case.number in m.subject and "已超过办理期限" in m.subject]
    recipients = {address for m in overdue for address in m.to}
    assert {"dept@beta.example", "office@alpha.example"} <= recipients
    assert all("张三" not in m.body and "13912345678" not in m.body for m in mailoutbox)


def test_a_letter_routed_to_a_suspended_department_waits_and_the_office_is_told(
    alpha, beta, mailoutbox
):
    from security.roles import CASE_HANDLER
    from tenants import services as sites
    from tests.factories import make_user

    make_user(alpha, "office_wait", role=CASE_HANDLER, email="office-wait@alpha.example")
    case, _ = write(alpha, dict(LETTER, title="等待中的来信"))
    act(alpha, case.number, "route", to_site=beta.pk, note="请办理", working_days=10)
    connection.set_schema_to_public()  # the admin requests left the connection in alpha
    sites.set_status(beta, "suspended", "机构调整")
    try:
        task = CaseTask.objects.get(case=case, site=beta)
        assert task.is_open and task.waiting_since is not None
        assert any(
            "暂停办理" in m.subject and "office-wait@alpha.example" in m.to for m in mailoutbox
        )
        case.refresh_from_db()
        assert case.is_open
    finally:
        connection.set_schema_to_public()
        sites.set_status(beta, "active")
    assert CaseTask.objects.get(case=case, site=beta).waiting_since is None
