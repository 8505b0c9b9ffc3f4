"""Deadline mail: before a task's deadline (NEAR_WORKING_DAYS working days or less) and after
it has passed, the handling site (its handler, 办件员 and webmasters) and the lead site are
mailed — once each per deadline (an extended deadline warns again). Periodic
(`casework-mail-deadlines`), in the public schema where the tasks are; each mail goes out in
its site's schema."""

from django.db import transaction
from django.utils import timezone

from tenants.workdays import add_working_days

from .admin_views import NEAR_WORKING_DAYS
from .models import OPEN_TASK_STATUSES, CaseTask
from .notify import mail_site


def _tell(task, subject, body) -> int:
    sent = int(mail_site(task.site, subject, body, task=task))
    if task.case.lead_site_id != task.site_id:
        sent += int(mail_site(task.case.lead_site, subject, body))
    return sent


def mail_deadlines(today=None) -> int:
    """Send what is due; returns the number of mails."""
    today = today or timezone.localdate()
    horizon, _ = add_working_days(today, NEAR_WORKING_DAYS)
    tasks = (
        CaseTask.objects.filter(status__in=OPEN_TASK_STATUSES, deadline__lte=horizon)
        .select_related("case", "case__lead_site", "site")
        .order_by("deadline", "pk")
    )
    sent = 0
    for task in tasks:
        case = task.case
        what = f"办件 {case.number}（{case.title}）{task.site.short_name}承办部分"
        if task.deadline < today:
            if task.warned_after_for == task.deadline:
                continue
            subject = f"【办件超期】{case.number} 已超过办理期限 {task.deadline:%Y-%m-%d}"
            body = f"{what}已超过办理期限（{task.deadline:%Y-%m-%d}），请尽快办理或说明情况。"
            field = "warned_after_for"
        else:
            if task.warned_before_for == task.deadline:
                continue
            subject = f"【办件提醒】{case.number} 将于 {task.deadline:%Y-%m-%d} 到期"
            body = f"{what}的办理期限是 {task.deadline:%Y-%m-%d}，请按时办理。"
            field = "warned_before_for"
        with transaction.atomic():
            # Claimed first, so two runners never mail the same warning twice.
            claimed = (
                CaseTask.objects.filter(pk=task.pk)
                .exclude(**{field: task.deadline})
                .update(**{field: task.deadline})
            )
            if claimed:
                sent += _tell(task, subject, body)
    return sent
