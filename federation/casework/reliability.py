"""A site that stops working while it has cases open: suspended (console) or frozen (Z1).

Its open tasks wait: nothing is closed or lost, a step on the case says so, and the lead site
is mailed. When the site is active and unfrozen again, the tasks resume and the case says that
too; each task's deadline moves by the working days it waited (the department could not work
on it meanwhile), the lead's moving the case's deadline with it. The days counted are those
after the day it began waiting up to and including the day it resumed (tenants.workdays'
convention): a site suspended and restored the same day loses no day.
"""

from django.db import transaction
from django.utils import timezone

from tenants.workdays import add_working_days, working_days_between

from .models import OPEN_TASK_STATUSES, CaseStep, CaseTask
from .notify import mail_site
from .services import _audit, _available


def site_availability_changed(website, available: bool, *, today=None) -> int:
    """Mark the site's open tasks waiting (or resumed); returns how many changed. `today`:
    the day of the return (default: today), the end of the waiting counted."""
    available = available and _available(website)
    tasks = CaseTask.objects.filter(site=website, status__in=OPEN_TASK_STATUSES)
    tasks = tasks.filter(waiting_since__isnull=not available).select_related(
        "case", "case__lead_site"
    )
    now = timezone.now()
    changed = 0
    for task in tasks:
        case = task.case
        changes = {}
        with transaction.atomic():
            if available:
                note = f"{website.legal_name}已恢复运行，继续办理。"
                changes = _move_deadline(task, case, today or timezone.localdate(now))
                if changes:
                    note += (
                        f"暂停期间计 {changes['waited_working_days']} 个工作日，"
                        f"办理期限顺延至 {task.deadline:%Y年%m月%d日}。"
                    )
            else:
                why = "应急冻结（只读）" if website.frozen_at else "暂停运行"
                note = f"{website.legal_name}网站{why}，其办理暂停，办件保留，恢复后继续。"
            task.waiting_since = None if available else now
            task.save(update_fields=["waiting_since", "deadline", "deadline_assumed", "updated_at"])
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
            action = "site_resumed" if available else "site_waiting"
            _audit(case.lead_site, case, action, changes=changes)
            if changes and case.lead_site_id != website.pk:
                _audit(website, case, action, changes=changes)  # the department's trail too
        if case.lead_site_id != website.pk:
            mail_site(
                case.lead_site,
                f"【办件提醒】{case.number}：{website.short_name}{'恢复办理' if available else '暂停办理'}",
                f"办件 {case.number}（{case.title}）\n{note}",
            )
        changed += 1
    return changed


def _move_deadline(task: CaseTask, case, today) -> dict:
    """Push the waiting task's deadline (and the case's, for the lead's part) by the working
    days it waited. Returns the audit's changes, empty when no working day was lost."""
    if task.deadline is None or task.waiting_since is None:
        return {}
    waited = working_days_between(timezone.localdate(task.waiting_since), today)
    if waited.days <= 0:
        return {}
    before = task.deadline
    task.deadline, assumed = add_working_days(before, waited.days)
    # The reminders are sent once per deadline date, so the new date gets its own.
    task.deadline_assumed = task.deadline_assumed or assumed or waited.assumed
    changes = {
        "waited_working_days": waited.days,
        "deadline": [before.isoformat(), task.deadline.isoformat()],
    }
    if task.role == CaseTask.Role.LEAD and case.deadline:
        case_before = case.deadline
        case.deadline = max(case.deadline, task.deadline)
        case.deadline_assumed = case.deadline_assumed or task.deadline_assumed
        case.save(update_fields=["deadline", "deadline_assumed"])
        changes["case_deadline"] = [case_before.isoformat(), case.deadline.isoformat()]
    return changes
