"""The case machine's Python API (the contract other apps call).

    register_kind(code, label, prefix, …)                     kinds.py, re-exported here
    open_case(kind, *, lead_site, sites, title, …) -> (case, query_code)
    find_case(number, query_code) -> Case | None
    task_of(case, site) -> CaseTask | None                    the site's current part
    accept / request_supplement / refuse / start / answer / route / return_routing /
    extend / complete (case, site, *, user=None, note="", files=(), …)   a handling site
    send_back(case, site, to_site, *, user=None, reason, working_days=None)  the router
    answer_supplement(case, *, note="", files=())             the applicant
    check_upload(file)                                        uploads.py, re-exported here

Every transition locks the case row, checks the kind's machine (IllegalTransition, a
ValueError with a Chinese message, for anything else), records one CaseStep and an event
in the acting site's audit trail (number and action only: no personal data).
"""

import datetime
import hashlib
import hmac
import logging
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from security.audit.services import record
from tenants.models import Website
from tenants.workdays import add_working_days

from . import notify, storage
from .errors import CaseError, IllegalTransition, NotAddressed, UploadRejected
from .kinds import ACTION_LABELS, get_kind, register_kind, registered
from .models import (
    OPEN_TASK_STATUSES,
    Case,
    CaseAttachment,
    CaseNumberCounter,
    CaseStatus,
    CaseStep,
    CaseTask,
    TaskStatus,
)
from .uploads import check_upload

__all__ = [
    "CaseError",
    "IllegalTransition",
    "NotAddressed",
    "UploadRejected",
    "accept",
    "answer",
    "answer_supplement",
    "check_upload",
    "complete",
    "extend",
    "find_case",
    "open_case",
    "refuse",
    "register_kind",
    "request_supplement",
    "return_routing",
    "route",
    "send_back",
    "start",
    "task_of",
]

log = logging.getLogger("jiyue.casework")

# 31 characters a citizen cannot confuse (no 0/O, 1/I/L): 8 of them ≈ 40 bits.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
# A repeated submission (same client token) within this time gets the same code shown again.
REPLAY_WINDOW = datetime.timedelta(hours=1)
TERMINAL_TASK_STATUSES = frozenset(
    {
        TaskStatus.ANSWERED,
        TaskStatus.REFUSED,
        TaskStatus.ROUTED,
        TaskStatus.RETURNED,
        TaskStatus.CLOSED,
    }
)


# --- numbers and query codes ---------------------------------------------------------------


def _key() -> bytes:
    # Its own key, so rotating SECRET_KEY does not void every query code already given out.
    return (settings.CASEWORK_HMAC_KEY or settings.SECRET_KEY).encode()


def normalise_number(number: str) -> str:
    """A 受理编号 as typed (lower case, spaces, stray characters) in its stored form."""
    return "".join(ch for ch in str(number or "").upper() if ch.isascii() and ch.isalnum())[:32]


def normalise_code(code: str) -> str:
    return "".join(ch for ch in str(code or "").upper() if ch.isascii() and ch.isalnum())[:32]


def hash_code(number: str, code: str) -> str:
    message = f"casework:query:{number}:{normalise_code(code)}".encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def _new_code(client_token: str | None) -> str:
    """A random code; with a client token, the same code for the same token (a double submit
    must show the applicant the code of the one case it made, and only its hash is kept)."""
    if not client_token:
        return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    digest = hmac.new(_key(), f"casework:token:{client_token}".encode(), hashlib.sha256).digest()
    return "".join(CODE_ALPHABET[b % len(CODE_ALPHABET)] for b in digest[:CODE_LENGTH])


def _next_number(prefix: str, day: datetime.date) -> str:
    table = connection.ops.quote_name(CaseNumberCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (prefix, day, last) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (prefix, day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [prefix, day],
        )
        sequence = cursor.fetchone()[0]
    return f"{prefix}{day:%Y%m%d}{sequence:05d}"


# --- opening and finding ----------------------------------------------------------------


def _files(attachments) -> list[tuple[str, object]]:
    found = []
    for item in attachments or ():
        label, upload = item if isinstance(item, tuple) else ("", item)
        found.append((label, upload))
    return found


def _site_deadlines(lead_site, sites) -> list[tuple[Website, str, int | None]]:
    """[(site, role, working days or None for the case's own)], the lead first, no repeats."""
    parts = [(lead_site, CaseTask.Role.LEAD, None)]
    seen = {lead_site.pk}
    for item in sites or ():
        site, days = item if isinstance(item, tuple) else (item, None)
        if site.pk not in seen:
            seen.add(site.pk)
            parts.append((site, CaseTask.Role.PARALLEL, days))
    return parts


def open_case(
    kind: str,
    *,
    lead_site: Website,
    sites: Iterable = (),
    title: str,
    subject_key: str = "",
    subject_title: str = "",
    subject_url: str = "",
    applicant: dict | None = None,
    content: dict | None = None,
    attachments: Iterable = (),
    client_token: str | None = None,
    deadline_working_days: int,
    publish_allowed: bool = False,
    opened_at: datetime.datetime | None = None,
) -> tuple[Case, str | None]:
    """Open a case addressed to `lead_site` and, in parallel, `sites` (each a Website, or
    (Website, its own working days)). Returns the case and its query code, shown once.

    Idempotent on `client_token`: the same token returns the case it made, with the same code
    within REPLAY_WINDOW (None after). Attachments (files, or (label, file)) are checked
    first: a bad one refuses the whole case with UploadRejected and nothing is kept.
    """
    if not registered(kind):
        raise CaseError(f"未登记的办件类别：{kind}")
    kind_def = get_kind(kind)
    client_token = (client_token or "").strip()[:64] or None
    if client_token:
        existing = Case.objects.filter(client_token=client_token).first()
        if existing is not None:
            return existing, _replayed_code(existing, client_token)
    files = _files(attachments)
    for _label, upload in files:
        check_upload(upload)
    if not lead_site.is_site:
        raise CaseError("办件只能提交给网站。")
    now = opened_at or timezone.now()
    today = timezone.localdate(now)
    deadline_working_days = max(0, int(deadline_working_days))
    code = _new_code(client_token)
    try:
        with transaction.atomic():
            number = _next_number(kind_def.prefix, today)
            deadline, assumed = add_working_days(today, deadline_working_days)
            case = Case.objects.create(
                number=number,
                kind=kind,
                query_code_hash=hash_code(number, code),
                lead_site=lead_site,
                title=(title or "")[:200],
                subject_key=subject_key[:120],
                subject_title=subject_title[:255],
                subject_url=subject_url[:500],
                applicant=applicant or {},
                content=content or {},
                publish_allowed=publish_allowed,
                deadline_working_days=deadline_working_days,
                opened_at=now,
                deadline=deadline,
                deadline_assumed=assumed,
                client_token=client_token,
            )
            for site, role, days in _site_deadlines(lead_site, sites):
                if days is None:
                    task_deadline, task_assumed = deadline, assumed
                else:
                    task_deadline, task_assumed = add_working_days(today, days)
                CaseTask.objects.create(
                    case=case,
                    site=site,
                    role=role,
                    deadline=task_deadline,
                    deadline_assumed=task_assumed,
                    waiting_since=None if _available(site) else now,
                )
            step = _step(case, "open", actor_kind=CaseStep.Actor.APPLICANT, note="")
            for label, upload in files:
                storage.save(case, upload, label=label, step=step)
            for task in case.tasks.select_related("site"):
                _audit(task.site, case, "open", changes={"role": task.role})
    except IntegrityError:
        # The same token submitted twice at the same moment: the other request made it.
        existing = Case.objects.filter(client_token=client_token).first() if client_token else None
        if existing is None:
            raise
        return existing, _replayed_code(existing, client_token)
    log.info("case %s opened (%s)", case.number, kind)
    return case, code


def _available(site: Website) -> bool:
    """A site that can work on its part now (not suspended, archived or frozen)."""
    return site.status == Website.Status.ACTIVE and not site.frozen_at


def _replayed_code(case: Case, client_token: str) -> str | None:
    if timezone.now() - case.opened_at > REPLAY_WINDOW:
        return None
    code = _new_code(client_token)
    return code if hmac.compare_digest(case.query_code_hash, hash_code(case.number, code)) else None


def find_case(number: str, query_code: str) -> Case | None:
    """The case with this number, if the query code is its own; None otherwise (a wrong code
    and an unknown number answer the same, in about the same time)."""
    number = normalise_number(number)
    case = Case.objects.filter(number=number).first() if number else None
    expected = hash_code(number, query_code)
    if case is None:
        hmac.compare_digest(expected, "0" * 64)
        return None
    return case if hmac.compare_digest(case.query_code_hash, expected) else None


def task_of(case: Case, site: Website | None) -> CaseTask | None:
    """The site's part of the case: its open task, else its latest one; None if it has none."""
    if site is None:
        return None
    tasks = list(CaseTask.objects.filter(case=case, site=site).order_by("-pk"))
    for task in tasks:
        if task.is_open:
            return task
    return tasks[0] if tasks else None


def handles(case: Case, site: Website | None) -> bool:
    """Whether `site` takes part in the case (may see the other departments' parts)."""
    return site is not None and CaseTask.objects.filter(case=case, site=site).exists()


# --- steps and the audit trail ----------------------------------------------------------


def _actor(user) -> str:
    return user.get_username() if user is not None else "系统"


def _step(case, action, *, actor_kind, task=None, site=None, user=None, note="", public=True):
    return CaseStep.objects.create(
        case=case,
        task=task,
        site=site,
        actor_kind=actor_kind,
        actor=_actor(user) if actor_kind != CaseStep.Actor.APPLICANT else "申请人",
        action=action,
        note=(note or "").strip()[:4000],
        public=public,
    )


def _audit(site, case, action, *, user=None, changes=None):
    record(
        f"case.{action}",
        schema_name=site.schema_name,
        object_type="casework.case",
        object_id=case.pk,
        object_repr=case.number,
        user=user,
        changes=changes or {},
        message=f"{get_kind(case.kind).label} {case.number} {ACTION_LABELS.get(action, action)}",
    )


# --- transitions --------------------------------------------------------------------------


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("lead_site").get(pk=case.pk)


def _check(case: Case, task: CaseTask | None, action: str) -> tuple:
    kind = get_kind(case.kind)
    label = ACTION_LABELS.get(action, action)
    if not kind.allows(action):
        raise IllegalTransition(f"“{kind.label}”没有“{label}”这一办理环节。")
    if not case.is_open:
        raise IllegalTransition(f"办件 {case.number} {case.get_status_display()}，不能再{label}。")
    starts, target = kind.transitions[action]
    if task is not None and task.status not in starts:
        raise IllegalTransition(
            f"本单位的办理状态为“{task.get_status_display()}”，不能{label}。"
            f"可以{label}的状态：{'、'.join(TaskStatus(s).label for s in sorted(starts))}。"
        )
    return kind, target


def _site_task(case: Case, site: Website) -> CaseTask:
    task = (
        CaseTask.objects.select_for_update()
        .filter(case=case, site=site, status__in=OPEN_TASK_STATUSES)
        .first()
    )
    if task is None:
        task = CaseTask.objects.filter(case=case, site=site).order_by("-pk").first()
    if task is None:
        raise NotAddressed(f"办件 {case.number} 不是交给{site.short_name}办理的。")
    return task


def _require_text(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise CaseError(f"请填写{what}。")
    return text


def _handled_by(task: CaseTask, user) -> None:
    if user is not None and not task.handler:
        task.handler = user.get_username()[:150]
        task.handler_email = getattr(user, "email", "") or ""


def _derive_status(case: Case) -> str:
    """The public status of an open case from its tasks' statuses."""
    tasks = list(case.tasks.all())
    statuses = {task.status for task in tasks}
    lead = next((t for t in tasks if t.role == CaseTask.Role.LEAD), None)
    if TaskStatus.SUPPLEMENT in statuses:
        return CaseStatus.SUPPLEMENT
    if statuses & {TaskStatus.IN_PROGRESS, TaskStatus.ANSWERED, TaskStatus.REFUSED}:
        return CaseStatus.IN_PROGRESS
    if (lead is not None and lead.status != TaskStatus.PENDING) or TaskStatus.ACCEPTED in statuses:
        return CaseStatus.ACCEPTED
    return CaseStatus.SUBMITTED


def _save_case_status(case: Case) -> None:
    if case.is_open:
        case.status = _derive_status(case)
    case.save()


def _attach(case, files, *, site, step, is_result=False, public=True) -> list[CaseAttachment]:
    return [
        storage.save(
            case, upload, label=label, site=site, step=step, is_result=is_result, public=public
        )
        for label, upload in _files(files)
    ]


def _transition(
    case: Case,
    site: Website,
    action: str,
    *,
    user=None,
    note: str = "",
    files=(),
    public: bool = True,
    is_result: bool = False,
    apply=None,
    lead_only: bool = False,
):
    """The common shape: lock, check, change the task (and `apply` more), step, audit."""
    for _label, upload in _files(files):
        check_upload(upload)
    with transaction.atomic():
        case = _locked(case)
        task = _site_task(case, site)
        if lead_only and task.role != CaseTask.Role.LEAD:
            raise NotAddressed(
                f"只有牵头单位（{case.lead_site.short_name}）可以{ACTION_LABELS[action]}。"
            )
        _kind, target = _check(case, task, action)
        before = task.status
        if target is not None:
            task.status = target
        _handled_by(task, user)
        if apply is not None:
            apply(case, task, before)
        task.save()
        _save_case_status(case)
        step = _step(
            case,
            action,
            actor_kind=CaseStep.Actor.HANDLER,
            task=task,
            site=site,
            user=user,
            note=note,
            public=public,
        )
        _attach(case, files, site=site, step=step, is_result=is_result, public=public)
        _audit(site, case, action, user=user, changes={"task": [before, task.status]})
        if public and (action != "refuse" or not case.is_open):
            # The applicant hears of what needs them or ends the case, once it is recorded.
            transaction.on_commit(
                lambda: notify.mail_applicant(case, action, step.note), robust=True
            )
    return case, task


def accept(case, site, *, user=None, note=""):
    """受理: the site takes its part on. The lead's acceptance is the case's."""
    return _transition(case, site, "accept", user=user, note=note)


def request_supplement(case, site, *, user=None, missing: str, files=()):
    """补正: the applicant is asked for what is missing; the case waits for their answer."""
    missing = _require_text(missing, "需要补正的材料或内容")

    def remember(case, task, before):
        task.status_before = before

    return _transition(
        case, site, "request_supplement", user=user, note=missing, files=files, apply=remember
    )


def refuse(case, site, *, user=None, reason: str, files=()):
    """不予受理 / 不予办理 with a reason. The lead's refusal closes the case (every other
    part ends); a parallel department's refusal is its answer to its part."""
    reason = _require_text(reason, "不予受理的理由")

    def close_if_lead(case, task, before):
        if task.role == CaseTask.Role.LEAD:
            now = timezone.now()
            case.status, case.closed_at, case.result_note = CaseStatus.REFUSED, now, reason
            case.retention_until = _retention(case, now)
            case.tasks.exclude(pk=task.pk).filter(status__in=OPEN_TASK_STATUSES).update(
                status=TaskStatus.CLOSED, updated_at=now
            )
        task.answered_at = timezone.now()

    return _transition(
        case,
        site,
        "refuse",
        user=user,
        note=reason,
        files=files,
        is_result=True,
        apply=close_if_lead,
    )


def start(case, site, *, user=None, note=""):
    """开始办理."""
    return _transition(case, site, "start", user=user, note=note)


def answer(case, site, *, user=None, note="", files=(), public=True):
    """This site's part is done (its opinion, a result document)."""

    def stamp(case, task, before):
        task.answered_at = timezone.now()

    return _transition(
        case,
        site,
        "answer",
        user=user,
        note=note,
        files=files,
        public=public,
        is_result=True,
        apply=stamp,
    )


def route(case, site, to_site: Website, *, user=None, note="", working_days: int | None = None):
    """转办: hand the site's part to another site, which gets a task of its own (role routed,
    a fresh deadline of `working_days`, the case's own by default)."""
    note = _require_text(note, "转办说明")
    if to_site.pk == site.pk or not to_site.is_site:
        raise CaseError("请选择另一个网站（部门）转办。")

    def add_task(case, task, before):
        if case.tasks.filter(site=to_site, status__in=OPEN_TASK_STATUSES).exists():
            raise CaseError(f"{to_site.short_name}已经在办理这件办件。")
        task.status_before = before
        days = case.deadline_working_days if working_days is None else working_days
        deadline, assumed = add_working_days(timezone.localdate(), days)
        CaseTask.objects.create(
            case=case,
            site=to_site,
            role=CaseTask.Role.ROUTED,
            routed_from=task,
            deadline=deadline,
            deadline_assumed=assumed,
            waiting_since=None if _available(to_site) else timezone.now(),
        )
        _audit(to_site, case, "route", user=user, changes={"from": site.schema_name})

    return _transition(
        case, site, "route", user=user, note=f"转{to_site.short_name}办理：{note}", apply=add_task
    )


def return_routing(case, site, *, user=None, reason: str):
    """退回: a routed part that is not this site's business goes back to the site that
    routed it, which takes its part up again where it left it."""
    reason = _require_text(reason, "退回理由")

    def give_back(case, task, before):
        if task.role != CaseTask.Role.ROUTED or task.routed_from_id is None:
            raise IllegalTransition("只有转办来的办件可以退回。")
        origin = CaseTask.objects.select_for_update().get(pk=task.routed_from_id)
        if origin.status == TaskStatus.ROUTED:
            origin.status = origin.status_before or TaskStatus.PENDING
            origin.status_before = ""
            origin.save()
        task.answered_at = timezone.now()

    return _transition(case, site, "return_routing", user=user, note=reason, apply=give_back)


def send_back(
    case, site, to_site: Website, *, user=None, reason: str, working_days: int | None = None
):
    """退回重办: the site that routed a part sends the department's answer back for rework.
    The department's task opens again (办理中) with the reason it reads; the step is internal
    (the applicant sees the department at work again, never the reason). `working_days` gives
    the department a fresh deadline; without it the one it had stands."""
    reason = _require_text(reason, "退回重办的理由")
    with transaction.atomic():
        case = _locked(case)
        origin = _site_task(case, site)
        _check(case, origin, "send_back")
        task = (
            CaseTask.objects.select_for_update()
            .filter(case=case, site=to_site, role=CaseTask.Role.ROUTED, routed_from=origin)
            .order_by("-pk")
            .first()
        )
        if task is None or task.status != TaskStatus.ANSWERED:
            raise IllegalTransition(
                f"{to_site.short_name}没有已答复的转办任务，不能退回重办（可以退回的是本单位"
                "转办、对方已答复的办件）。"
            )
        task.status, task.answered_at = TaskStatus.IN_PROGRESS, None
        if working_days:
            task.deadline, task.deadline_assumed = add_working_days(
                timezone.localdate(), int(working_days)
            )
            task.warned_before_for = task.warned_after_for = None
        task.save()
        _handled_by(origin, user)
        origin.save()
        _save_case_status(case)
        _step(
            case,
            "send_back",
            actor_kind=CaseStep.Actor.HANDLER,
            task=task,
            site=site,
            user=user,
            note=reason,
            public=False,
        )
        _audit(site, case, "send_back", user=user, changes={"to": to_site.schema_name})
        _audit(to_site, case, "send_back", user=user, changes={"from": site.schema_name})
    return case, task


def extend(case, site, *, user=None, working_days: int, reason: str):
    """Extend the site's deadline once, with a reason (the lead's extends the case's too)."""
    reason = _require_text(reason, "延期理由")
    try:
        working_days = int(working_days)
    except (TypeError, ValueError):
        working_days = 0
    if not 1 <= working_days <= 60:
        raise CaseError("延长的工作日数应在 1 到 60 之间。")

    def push(case, task, before):
        if task.extended:
            raise IllegalTransition("期限只能延长一次，本单位已经延长过。")
        task.deadline, task.deadline_assumed = add_working_days(task.deadline, working_days)
        task.extended, task.extension_reason = True, reason[:300]
        if task.role == CaseTask.Role.LEAD and case.deadline:
            case.deadline, case.deadline_assumed = task.deadline, task.deadline_assumed

    return _transition(
        case,
        site,
        "extend",
        user=user,
        note=f"延长 {working_days} 个工作日：{reason}",
        apply=push,
    )


def complete(case, site, *, user=None, note="", files=(), public=True):
    """办结: the lead site closes the case once every other part has answered."""

    def close(case, task, before):
        waiting = [t for t in case.tasks.select_related("site") if t.pk != task.pk and t.is_open]
        if waiting:
            names = "、".join(t.site.short_name for t in waiting)
            raise IllegalTransition(f"还有单位未办理完成（{names}），不能办结。")
        now = timezone.now()
        if before == TaskStatus.ROUTED:  # its part went to another site, which answered
            task.status = TaskStatus.ROUTED
        task.answered_at = task.answered_at or now
        case.status, case.closed_at = CaseStatus.COMPLETED, now
        case.result_note = (note or "").strip()[:4000]
        case.retention_until = _retention(case, now)

    case, task = _transition(
        case,
        site,
        "complete",
        user=user,
        note=note,
        files=files,
        public=public,
        is_result=True,
        apply=close,
        lead_only=True,
    )
    log.info("case %s completed", case.number)
    return case, task


def answer_supplement(case, *, note="", files=()):
    """The applicant answers a 补正 on the same case: every part waiting for it goes back to
    where it was, and each of those sites' trails records it."""
    files = _files(files)
    if not (note or "").strip() and not files:
        raise CaseError("请填写补正说明或上传补正材料。")
    for _label, upload in files:
        check_upload(upload)
    with transaction.atomic():
        case = _locked(case)
        waiting = list(
            case.tasks.select_for_update()
            .filter(status=TaskStatus.SUPPLEMENT)
            .select_related("site")
        )
        if not waiting:
            raise IllegalTransition(f"办件 {case.number} 现在不需要补正。")
        _check(case, waiting[0], "answer_supplement")
        for task in waiting:
            task.status = task.status_before or TaskStatus.PENDING
            task.status_before = ""
            task.save()
        _save_case_status(case)
        step = _step(case, "answer_supplement", actor_kind=CaseStep.Actor.APPLICANT, note=note)
        _attach(case, files, site=None, step=step)
        for task in waiting:
            _audit(task.site, case, "answer_supplement")
    return case


def _retention(case: Case, closed_at: datetime.datetime) -> datetime.date:
    return timezone.localdate(closed_at) + datetime.timedelta(
        days=get_kind(case.kind).retention_days
    )


# --- what a case looks like to the applicant ----------------------------------------------


def public_steps(case: Case):
    return case.steps.filter(public=True).select_related("site").prefetch_related("attachments")


def public_status(case: Case) -> str:
    return get_kind(case.kind).status_word(case.status)


def department_statuses(case: Case) -> list[tuple[str, str, datetime.date | None]]:
    """[(site name, public word, deadline)] of every part, for the applicant's view."""
    kind = get_kind(case.kind)
    return [
        (
            task.site.legal_name,
            kind.task_word(task.status)
            + ("（该部门网站暂停服务，恢复后继续办理）" if task.waiting_since else ""),
            task.deadline,
        )
        for task in case.tasks.select_related("site").order_by("pk")
    ]
