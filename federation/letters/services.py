"""Letters (X1), 找错 and 依申请公开 (I2) on the case machine.

The journey of a letter: a citizen writes to a mailbox (a case led by the mailbox's site,
deadline = the mailbox's working days) → the office triages: answers itself, or routes
(转办) to a department, which gets a task with the mailbox's deadline → the department
answers or returns the routing (退回) with its reason → the office reviews the reply and
completes the case → if the writer allowed it, letter and reply are published with personal
data removed. Deadlines, reminders, escalation and waiting for a suspended site are the
case machine's.
"""

import datetime
import re
from collections import Counter

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from federation.casework import services as cases
from federation.casework.errors import CaseError
from federation.casework.models import Case, CaseStatus, CaseStep, CaseTask, TaskStatus
from tenants.models import Website

from .models import (
    DISCLOSURE_EXTENSION_DAYS,
    DISCLOSURE_REQUEST,
    DISCLOSURE_WORKING_DAYS,
    ERROR_REPORT,
    ERROR_REPORT_WORKING_DAYS,
    LETTER,
    Letter,
    Mailbox,
)

# Personal data a reply or letter may contain: removed before publication (the office can
# edit the public text further).
_PERSONAL = [
    (re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)"), "[身份证号已隐去]"),
    (re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"), "[手机号已隐去]"),
    (re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)"), "[电话已隐去]"),
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "[邮箱已隐去]"),
]


def redact(text: str, names=()) -> str:
    for pattern, replacement in _PERSONAL:
        text = pattern.sub(replacement, text or "")
    for name in names:
        if name and len(name) >= 2:
            text = text.replace(name, "[姓名已隐去]")
    return text


def default_mailboxes(site: Website) -> list[Mailbox]:
    """A site's mailboxes, made on first use: the portal's mayor's and supervision mailboxes,
    every other site's head's mailbox."""
    if site.kind == Website.Kind.PORTAL:
        wanted = [
            ("szxx", Mailbox.Kind.MAYOR, "市长信箱"),
            ("jdxx", Mailbox.Kind.SUPERVISION, "监督信箱"),
        ]
    else:
        head = "区长信箱" if site.kind == Website.Kind.DISTRICT else "局长信箱"
        wanted = [("ldxx", Mailbox.Kind.HEAD, head)]
    boxes = []
    for slug, kind, name in wanted:
        box, _ = Mailbox.objects.get_or_create(
            site=site, slug=slug, defaults={"kind": kind, "name": name}
        )
        boxes.append(box)
    return [b for b in boxes if b.active]


@transaction.atomic
def submit_letter(
    mailbox,
    *,
    category,
    title,
    content,
    name,
    phone,
    email="",
    publish_allowed,
    attachments=(),
    client_token=None,
):
    case, code = cases.open_case(
        LETTER,
        lead_site=mailbox.site,
        title=title,
        subject_key=f"mailbox:{mailbox.pk}",
        subject_title=mailbox.name,
        applicant={"name": name, "phone": phone, "email": email},
        content={"category": category, "text": content},
        attachments=attachments,
        client_token=client_token,
        deadline_working_days=mailbox.deadline_working_days,
        publish_allowed=publish_allowed,
    )
    Letter.objects.get_or_create(
        case=case, defaults={"kind": LETTER, "mailbox": mailbox, "category": category}
    )
    return case, code


@transaction.atomic
def submit_error_report(site, *, page_url, description, contact="", client_token=None):
    case, code = cases.open_case(
        ERROR_REPORT,
        lead_site=site,
        title=f"网页纠错：{page_url}"[:200],
        subject_url=page_url,
        applicant={"contact": contact},
        content={"text": description},
        client_token=client_token,
        deadline_working_days=ERROR_REPORT_WORKING_DAYS,
    )
    Letter.objects.get_or_create(case=case, defaults={"kind": ERROR_REPORT, "page_url": page_url})
    return case, code


@transaction.atomic
def submit_disclosure_request(
    site,
    *,
    name,
    id_number,
    phone,
    address,
    email,
    information,
    purpose,
    delivery,
    attachments=(),
    client_token=None,
):
    case, code = cases.open_case(
        DISCLOSURE_REQUEST,
        lead_site=site,
        title=information[:60],
        applicant={
            "name": name,
            "id_number": id_number,
            "phone": phone,
            "address": address,
            "email": email,
        },
        content={"information": information, "purpose": purpose},
        attachments=attachments,
        client_token=client_token,
        deadline_working_days=DISCLOSURE_WORKING_DAYS,
    )
    Letter.objects.get_or_create(
        case=case, defaults={"kind": DISCLOSURE_REQUEST, "delivery": delivery}
    )
    return case, code


# --- handling (in a site's admin; `site` is the acting site) -------------------------------


def tasks_for(site, kind=None, *, open_only=False):
    """The tasks addressed to `site` (its own letters and those routed to it), newest first."""
    rows = CaseTask.objects.filter(
        site=site, case__kind__in=[LETTER, ERROR_REPORT, DISCLOSURE_REQUEST]
    )
    if kind:
        rows = rows.filter(case__kind=kind)
    if open_only:
        rows = rows.filter(
            status__in=[
                TaskStatus.PENDING,
                TaskStatus.ACCEPTED,
                TaskStatus.IN_PROGRESS,
                TaskStatus.SUPPLEMENT,
            ]
        )
    return rows.select_related("case", "case__letter", "case__lead_site").order_by(
        "-case__opened_at", "-pk"
    )


def department_answers(case):
    """The answers of the sites the letter was routed to, for the office's review."""
    return [
        (step.site, step.note, step.created_at)
        for step in case.steps.filter(action="answer")
        .exclude(site=case.lead_site)
        .select_related("site")
        .order_by("pk")
    ]


def answered_routings(case, site) -> list[CaseTask]:
    """The parts `site` routed whose department has answered: what its review may send back."""
    origin = cases.task_of(case, site)
    if origin is None:
        return []
    return list(
        CaseTask.objects.filter(
            case=case, routed_from=origin, role=CaseTask.Role.ROUTED, status=TaskStatus.ANSWERED
        ).select_related("site")
    )


def send_back(case, site, user, *, to_site, reason, working_days=None):
    """The office sends a department's answer back for rework (退回重办), with the reason the
    department reads in its list; the writer never sees it."""
    return cases.send_back(
        case, site, to_site, user=user, reason=reason, working_days=working_days or None
    )


def rework_reasons(tasks) -> dict[int, str]:
    """{task id: the office's reason} for the open tasks that were sent back for rework."""
    open_ids = [task.pk for task in tasks if task.is_open]
    reasons = {}
    for task_id, note in (
        CaseStep.objects.filter(task_id__in=open_ids, action="send_back")
        .order_by("pk")
        .values_list("task_id", "note")
    ):
        reasons[task_id] = note  # the latest wins
    return reasons


@transaction.atomic
def review_and_complete(
    case, site, user, *, reply, publish: bool, public_title="", public_content="", public_reply=""
):
    """The office's review: the final reply closes the case; published if the writer allowed
    it and the office chose to, with personal data removed from every public text."""
    letter = case.letter
    task = cases.task_of(case, site)
    if task is not None and task.status == TaskStatus.PENDING:
        cases.accept(case, site, user=user)
    case, _ = cases.complete(case, site, user=user, note=reply)
    if publish and case.publish_allowed and letter.kind == LETTER:
        names = [case.applicant.get("name", "")]
        letter.published = True
        letter.published_at = timezone.now()
        letter.public_title = redact(public_title or case.title, names)
        letter.public_content = redact(public_content or case.content.get("text", ""), names)
        letter.public_reply = redact(public_reply or reply, names)
        answers = department_answers(case)
        letter.reply_unit = answers[-1][0].legal_name if answers else site.legal_name
        letter.save()
    return case


@transaction.atomic
def answer_disclosure_request(
    case, site, user, *, answer_type, ground="", referral="", reply, delivery=""
):
    letter = case.letter
    if answer_type in (Letter.AnswerType.WITHHELD, Letter.AnswerType.PARTLY) and not ground:
        raise CaseError("不予公开或部分公开时，请写明理由和法律依据。")
    if answer_type == Letter.AnswerType.NOT_OURS and not referral:
        raise CaseError("非本机关掌握时，请写明负责公开该信息的机关。")
    task = cases.task_of(case, site)
    if task is not None and task.status == TaskStatus.PENDING:
        cases.accept(case, site, user=user)
    letter.answer_type, letter.answer_ground, letter.referral = answer_type, ground, referral
    if delivery:
        letter.delivery = delivery
    letter.save()
    label = Letter.AnswerType(answer_type).label
    return cases.complete(case, site, user=user, note=f"【{label}】{reply}")


def extend_disclosure_request(case, site, user, *, reason):
    return cases.extend(
        case, site, user=user, working_days=DISCLOSURE_EXTENSION_DAYS, reason=reason
    )


# --- statistics ----------------------------------------------------------------------------


def month_bounds(month: str | None) -> tuple[datetime.date, datetime.date]:
    today = timezone.localdate()
    try:
        year, mon = (int(x) for x in (month or "").split("-"))
        start = datetime.date(year, mon, 1)
    except ValueError:
        start = today.replace(day=1)
    end = (start + datetime.timedelta(days=32)).replace(day=1)
    return start, end


def monthly_statistics(mailbox, month: str | None = None) -> dict:
    """Received, answered, answered on time; by department (routed to) and by category."""
    start, end = month_bounds(month)
    letters = Letter.objects.filter(
        mailbox=mailbox, case__opened_at__date__gte=start, case__opened_at__date__lt=end
    )
    received = letters.count()
    closed = letters.filter(case__status__in=[CaseStatus.COMPLETED, CaseStatus.REFUSED])
    answered = closed.count()
    on_time = closed.filter(
        Q(case__deadline__isnull=True) | Q(case__closed_at__date__lte=F("case__deadline"))
    ).count()
    by_category = Counter(letters.values_list("category", flat=True))
    by_department = Counter(
        CaseTask.objects.filter(case__letter__in=letters, role=CaseTask.Role.ROUTED).values_list(
            "site__short_name", flat=True
        )
    )
    return {
        "month": start.strftime("%Y-%m"),
        "start": start,
        "received": received,
        "answered": answered,
        "on_time": on_time,
        "by_category": sorted(by_category.items(), key=lambda kv: -kv[1]),
        "by_department": sorted(by_department.items(), key=lambda kv: -kv[1]),
    }


def disclosure_outcomes(site, year: int) -> dict:
    """依申请公开 requests of a year by outcome, for the yearly disclosure report."""
    rows = Letter.objects.filter(
        kind=DISCLOSURE_REQUEST, case__lead_site=site, case__opened_at__year=year
    )
    outcomes = Counter(rows.exclude(answer_type="").values_list("answer_type", flat=True))
    return {
        "year": year,
        "received": rows.count(),
        "open": rows.filter(
            case__status__in=[
                CaseStatus.SUBMITTED,
                CaseStatus.ACCEPTED,
                CaseStatus.IN_PROGRESS,
                CaseStatus.SUPPLEMENT,
            ]
        ).count(),
        "outcomes": [(label, outcomes.get(value, 0)) for value, label in Letter.AnswerType.choices],
    }


def published_letters(mailbox):
    return (
        Letter.objects.filter(mailbox=mailbox, published=True)
        .select_related("case")
        .order_by("-published_at")
    )


def find(number, code) -> Case | None:
    return cases.find_case(number, code)
