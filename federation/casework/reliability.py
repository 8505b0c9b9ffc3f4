"""A site that stops working while it has cases open: suspended (console) or frozen (Z1).

Its open tasks wait: nothing is closed or lost, the deadline stays as it was (the lead site
decides whether to extend), a step on the case says so, and the lead site is mailed. When
the site is active and unfrozen again, the tasks resume and the case says that too.
"""

from django.db import transaction
from django.utils import timezone

from .models import OPEN_TASK_STATUSES, CaseStep, CaseTask
from .notify import mail_site
from .services import _audit, _available


def site_availability_changed(website, available: bool) -> int:
    """Mark the site's open tasks waiting (or resumed); returns how many changed."""
    available = available and _available(website)
    tasks = CaseTask.objects.filter(site=website, status__in=OPEN_TASK_STATUSES)
    tasks = tasks.filter(waiting_since__isnull=not available).select_related(
        "case", "case__lead_site"
    )
    now = timezone.now()
    changed = 0
    for task in tasks:
        case = task.case
        with transaction.atomic():
            task.waiting_since = None if available else now
            task.save(update_fields=["waiting_since", "updated_at"])
            if available:
                note = f"{website.legal_name}已恢复运行，继续办理。"
            else:
                why = "应急冻结（只读）" if website.frozen_at else "暂停运行"
                note = f"{website.legal_name}网站{why}，其办理暂停，办件保留，恢复后继续。"
            CaseStep.objects.create(
                case=case,
                task=task,
                site=website,
                actor_kind=CaseStep.Actor.SYSTEM,
                actor="系统",
                action="site_resumed" if available else "site_waiting",
                note=note,
                public=False,
            )
            _audit(case.lead_site, case, "site_resumed" if available else "site_waiting")
        if case.lead_site_id != website.pk:
            mail_site(
                case.lead_site,
                f"【办件提醒】{case.number}：{website.short_name}{'恢复办理' if available else '暂停办理'}",
                f"办件 {case.number}（{case.title}）\n{note}",
            )
        changed += 1
    return changed
