"""Serious 错敏词 findings block publishing on every path, until a reviewer overrides them.

The rule. A version of an item (any page that enters the resource library: not home pages,
columns or syndicated copies) goes live only when none of its serious findings is left
without a reviewer's override (ScreeningOverride, with a reason, in the audit trail).

Where it is enforced. As with 保密审查 (sites.disclosure.confidentiality), at one choke point
every path passes: a `pre_save` check on the page row when it turns live, its live revision
changes, or it moves while live — the publish button, bulk publish, a scheduled go-live, a
workflow's last approval, reverting, copying with “发布副本”, moving, a script. The admin
hooks (wagtail_hooks) check the same rule first and turn a refusal into a message.
"""

import logging

from django.core.exceptions import PermissionDenied
from django.db import connection
from django_tenants.utils import get_public_schema_name

from . import services
from .content import page_fields
from .models import ScreeningOverride

log = logging.getLogger(__name__)

MESSAGE = (
    "“{title}”有 {count} 处严重错敏词未处理（{examples}），不能发布。"
    "请按修改建议改正，或由审核员在“错敏词检查”中逐条填写理由放行。"
)


class ContentScreeningBlocked(PermissionDenied):
    def __init__(self, message, page_id=None, findings=()):
        super().__init__(message)
        self.message = message
        self.page_id = page_id
        self.findings = list(findings)

    def __str__(self):
        return self.message


def is_item(page) -> bool:
    model = page.specific_class or type(page)
    return not getattr(model, "library_exclude", False)


def check_page(page, compiled=None) -> list[services.Finding]:
    """Every finding in this version of the page (a specific instance)."""
    return services.check_fields(page_fields(page), compiled=compiled)


def overrides(page_id) -> dict[str, ScreeningOverride]:
    if page_id is None:
        return {}
    return {o.fingerprint: o for o in ScreeningOverride.objects.filter(page_id=page_id)}


def blocking(page, findings=None, compiled=None) -> list[services.Finding]:
    """The serious findings of this version nobody overrode."""
    if findings is None:
        findings = check_page(page, compiled)
    done = overrides(page.pk)
    return [f for f in services.serious(findings) if f.fingerprint not in done]


def refusal(page, compiled=None) -> str | None:
    """Why this version of `page` may not go live, or None."""
    if not is_item(page):
        return None
    found = blocking(page, compiled=compiled)
    if not found:
        return None
    examples = "、".join(f"“{f.text}”" for f in found[:3])
    return MESSAGE.format(title=page.title, count=len(found), examples=examples)


def pre_save_guard(sender, instance, raw=False, **kwargs):
    from wagtail.models import Page

    if raw or not isinstance(instance, Page) or not instance.live:
        return
    if connection.schema_name == get_public_schema_name() or not is_item(instance):
        return
    compiled = services.matchers()
    if not compiled:
        return  # nothing to check against: no query more than that
    before = None
    if instance.pk is not None:
        before = (
            Page.objects.filter(pk=instance.pk)
            .values_list("live", "live_revision_id", "url_path")
            .first()
        )
    if (
        before is not None
        and before[0]
        and before[1] == instance.live_revision_id
        and before[2] == instance.url_path
    ):
        return  # a live item saved again without going live anew (a lock, a draft)
    version = instance
    if type(instance) is Page:  # a move, or a script saving the bare row: what goes live
        if instance.live_revision_id and (before is None or before[1] != instance.live_revision_id):
            version = instance.live_revision.as_object()
        else:
            version = Page.objects.get(pk=instance.pk).specific
    reason = refusal(version, compiled)
    if reason:
        log.warning("refused to publish %s (%s): serious 错敏词", instance.pk, instance.title)
        raise ContentScreeningBlocked(reason, instance.pk)


def drop_blocked_schedules() -> list[int]:
    """Before the scheduled sweep (tenants.scheduling) in the current site: a due version with
    open serious findings loses its schedule, so the sweep goes on with the others; the
    editor finds the item unpublished with the panel saying why (and the audit trail)."""
    from django.utils import timezone
    from wagtail.models import Revision

    from security.audit.services import record

    compiled = services.matchers()
    if not compiled:
        return []
    dropped = []
    due = Revision.page_revisions.filter(approved_go_live_at__lte=timezone.now())
    for revision in due:
        version = revision.as_object()
        reason = refusal(version, compiled)
        if not reason:
            continue
        revision.approved_go_live_at = None
        revision.save(update_fields=["approved_go_live_at"])
        record(
            "screening.schedule_dropped",
            object_type="wagtailcore.page",
            object_id=version.pk,
            object_repr=version.title,
            message=reason,
        )
        log.warning("scheduled go-live of %s dropped: %s", version.pk, reason)
        dropped.append(version.pk)
    return dropped
