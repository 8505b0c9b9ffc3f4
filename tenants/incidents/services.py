"""The emergency plan's steps for a security incident (Z1): report, acknowledge, handle, close.

Each step is taken once, in order, by a named person, at a recorded time, and written to the
site's audit trail (its admins read it there; the console's auditors read every chain). A step
out of order raises ValidationError saying which step comes first, and changes nothing.

The incidents table is in the public schema, on every site's search path: these functions run
in a site's request as well as in the console's, and never switch the connection's schema.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tenants.utils import schema_context
from wagtail.models import Site

from security.audit.services import record

from .. import services as registry
from ..models import Website
from . import notify
from .models import SecurityIncident

log = logging.getLogger("jiyue.incidents")
S = SecurityIncident.Status

# Which step a status waits for, and the status each step leads to.
NEXT_STEP = {S.REPORTED: "确认", S.ACKNOWLEDGED: "处置", S.HANDLED: "结案", S.CLOSED: "（已结案）"}
RESPONSIBILITY = (
    "responsible_leader",
    "responsible_leader_phone",
    "operator_unit",
    "operator_contact",
    "operator_contact_phone",
)


def report(
    website: Website,
    kind: str,
    title: str,
    *,
    level: str,
    observed: str = "",
    source: str = "manual",
    reference: str = "",
    evidence_path: str = "",
    actor: str = "system",
) -> tuple[SecurityIncident, bool]:
    """Open an incident (the plan's first step) and notify the responsible people.

    With a `reference` (an alert's own id) it is idempotent: the same alert handed over twice
    opens one incident, and the second call returns it with created=False.
    """
    if reference:
        existing = SecurityIncident.objects.filter(reference=reference).first()
        if existing is not None:
            return existing, False
    incident = SecurityIncident(
        website=website,
        kind=kind,
        level=level,
        title=title[:200],
        observed=observed,
        source=source[:40],
        reference=reference[:120],
        evidence_path=evidence_path[:300],
        reported_by=actor[:150],
        **{name: getattr(website, name) for name in RESPONSIBILITY},
    )
    incident.full_clean()
    try:
        with transaction.atomic():
            incident.save()
            _audit("incident.reported", incident, {"kind": kind, "level": level}, actor=actor)
    except IntegrityError:  # the same alert, handed over by two processes at once
        return SecurityIncident.objects.get(reference=reference), False
    incident.notified = _notify(incident)
    incident.save(update_fields=["notified"])
    return incident, True


def acknowledge(incident: SecurityIncident, actor: str, request=None) -> SecurityIncident:
    """确认: someone responsible has seen the report and takes charge of the response."""
    return _step(incident, S.REPORTED, S.ACKNOWLEDGED, "acknowledged", actor, request)


def handle(incident: SecurityIncident, actor: str, measures: str, request=None):
    """处置: what was done (page restored, site frozen, server cleaned, 公安机关报告 …)."""
    if not measures.strip():
        raise ValidationError("请填写处置措施：做了什么、恢复到什么状态。")
    return _step(
        incident, S.ACKNOWLEDGED, S.HANDLED, "handled", actor, request, measures=measures.strip()
    )


def close(incident: SecurityIncident, actor: str, conclusion: str, request=None):
    """结案: the cause, the lesson and what changes so it does not happen again."""
    if not conclusion.strip():
        raise ValidationError("请填写结案结论：原因、影响和整改措施。")
    return _step(
        incident, S.HANDLED, S.CLOSED, "closed", actor, request, conclusion=conclusion.strip()
    )


def set_level(incident: SecurityIncident, level: str, actor: str, request=None):
    """The office or an operator grades the incident anew while it is open."""
    if level not in SecurityIncident.Level.values:
        raise ValidationError("请选择事件级别（Ⅰ—Ⅳ级）。")
    with transaction.atomic():
        current = SecurityIncident.objects.select_for_update().get(pk=incident.pk)
        if not current.is_open:
            raise ValidationError("事件已结案，级别不能再改。")
        if current.level == level:
            return current
        before, current.level = current.level, level
        current.save(update_fields=["level"])
        _audit("incident.level", current, {"level": [before, level]}, actor=actor, request=request)
    return current


def freeze_site(incident: SecurityIncident, actor: str, request=None) -> bool:
    """A handling measure: the site goes read-only (tenants.services.freeze) and the incident
    says so. False when the site was frozen already."""
    if not incident.is_open:
        raise ValidationError("事件已结案。")
    frozen = registry.freeze(incident.website, reason=f"安全事件 {incident.number}")
    if frozen:
        _audit("incident.freeze", incident, {"site": incident.website.schema_name}, actor=actor)
    return frozen


def _step(incident, expected, status, step, actor, request, **fields):
    with transaction.atomic():
        current = SecurityIncident.objects.select_for_update().get(pk=incident.pk)
        if current.status != expected:
            raise ValidationError(
                f"事件 {current.number} 当前为“{current.get_status_display()}”，"
                f"下一步是{NEXT_STEP[current.status]}。"
            )
        current.status = status
        setattr(current, f"{step}_at", timezone.now())
        setattr(current, f"{step}_by", actor[:150])
        for name, value in fields.items():
            setattr(current, name, value)
        current.save()
        _audit(f"incident.{step}", current, fields, actor=actor, request=request)
    return current


def _audit(event_type, incident, changes, *, actor, request=None):
    # The site's own chain: its admins read the incident's history there.
    record(
        event_type,
        obj=incident,
        schema_name=incident.website.schema_name,
        changes=changes,
        actor=actor,
        request=request,
    )


def _notify(incident) -> list[str]:
    website = incident.website
    subject = (
        f"【网站安全事件 {incident.get_level_display()}】{website.legal_name}：{incident.title}"
    )
    body = (
        f"事件编号：{incident.number}\n"
        f"报告时间：{timezone.localtime(incident.reported_at):%Y-%m-%d %H:%M}\n"
        f"事件类型：{incident.get_kind_display()}    级别：{incident.get_level_display()}\n"
        f"发现的情况：{incident.observed or incident.title}\n\n"
        f"主管领导：{incident.responsible_leader} {incident.responsible_leader_phone}\n"
        f"承办单位：{incident.operator_unit}  负责人：{incident.operator_contact} "
        f"{incident.operator_contact_phone}\n\n"
        "请按网站安全应急预案立即处置：在网站后台“网站安全事件”中确认事件，"
        "处置后填写处置措施（必要时由平台运维冻结网站）：\n"
        f"{admin_url(website, f'/admin/incidents/{incident.pk}/')}\n"
    )
    if incident.evidence_path:
        body += (
            "\n监测证据（如属正常变更，可在此标记，再记录处置结案）：\n"
            f"{admin_url(website, incident.evidence_path)}\n"
        )
    sent = notify.mail_site(website, subject, body)
    if website.kind != Website.Kind.PORTAL:
        sent += notify.mail_office(subject, body)
    return sent


def admin_url(website, path: str) -> str:
    """An absolute link into the site's admin, from its own Wagtail Site row (hostname and port
    as provisioning set them), for mail read outside any request."""
    with schema_context(website.schema_name):
        site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
        return (site.root_url if site else "") + path
