"""The applicant's personal data: an export of everything kept about one applicant (JSON),
and erasure once the retention date has passed (command `erase_expired_cases`, and the
console's operators). Erasure keeps the case's number, kind, sites, dates and steps (the
figures need them) and removes the applicant, the content, notes and every file."""

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import storage
from .kinds import get_kind
from .models import Case, CaseAttachment, CaseStep
from .services import _audit

ERASED = "（已删除）"


def _matches(value: str):
    """Cases whose applicant has `value` as any of name, id number, phone or email."""
    value = (value or "").strip()
    if not value:
        return Case.objects.none()
    query = Q()
    for key in ("name", "id_number", "phone", "email"):
        query |= Q(**{f"applicant__{key}": value})
    return Case.objects.filter(query, erased_at__isnull=True)


def export_applicant(value: str) -> dict:
    """Everything about the applicant identified by `value` (id number, phone or email)."""
    cases = []
    for case in _matches(value).select_related("lead_site").order_by("opened_at"):
        cases.append(
            {
                "number": case.number,
                "kind": get_kind(case.kind).label,
                "title": case.title,
                "lead_site": case.lead_site.legal_name,
                "status": case.get_status_display(),
                "opened_at": case.opened_at.isoformat(),
                "closed_at": case.closed_at.isoformat() if case.closed_at else None,
                "retention_until": str(case.retention_until or ""),
                "applicant": case.applicant,
                "content": case.content,
                "steps": [
                    {
                        "at": step.created_at.isoformat(),
                        "action": step.action,
                        "site": step.site.legal_name if step.site else "",
                        "note": step.note,
                    }
                    for step in case.steps.select_related("site")
                ],
                "files": [
                    {"name": a.name, "label": a.label, "size": a.size, "sha256": a.sha256}
                    for a in case.attachments.all()
                ],
            }
        )
    return {"exported_at": timezone.now().isoformat(), "query": value, "cases": cases}


def erase(case: Case) -> None:
    """Remove the personal data of a closed case (its files too); the skeleton stays."""
    if case.is_open:
        raise ValueError(f"办件 {case.number} 尚未办结，不能删除个人信息。")
    with transaction.atomic():
        case.applicant, case.content, case.result_note = {}, {}, ""
        case.erased_at = timezone.now()
        case.client_token = None
        case.save()
        CaseStep.objects.filter(case=case).exclude(note="").update(note=ERASED)
        CaseAttachment.objects.filter(case=case).delete()
        CaseStep.objects.create(
            case=case,
            actor_kind=CaseStep.Actor.SYSTEM,
            actor="系统",
            action="erase",
            note="保存期满，申请人个人信息和材料已删除。",
            public=False,
        )
        _audit(case.lead_site, case, "erase")
        transaction.on_commit(lambda: storage.delete_case_files(case))


def expired(today: datetime.date | None = None):
    today = today or timezone.localdate()
    return Case.objects.filter(
        erased_at__isnull=True, closed_at__isnull=False, retention_until__lt=today
    ).select_related("lead_site")


def erase_expired(today: datetime.date | None = None) -> int:
    count = 0
    for case in expired(today):
        erase(case)
        count += 1
    return count
