"""The interaction indicator of the evaluation (互动回应): no valid message left unanswered
for more than three months. A scorecard indicator for federation.monitoring (registered by
the import string `federation.letters.indicators.UnansweredMessages` in
SCORECARD_INDICATORS); `compute` runs in the evaluated site's schema and returns findings as
dicts, so this module needs nothing of monitoring."""

import datetime

from federation.casework.models import OPEN_TASK_STATUSES, CaseTask
from sites.interaction.models import BoardPost, Consultation
from sites.interaction.models.common import Moderation

from .models import KINDS

LIMIT_DAYS = 90


class UnansweredMessages:
    code = "interaction.unanswered"
    label = "互动回应"
    settings = (("interaction.limit_days", "来信、留言超过多少天未答复即单项否决", LIMIT_DAYS),)

    def compute(self, site) -> list[dict]:
        day = site.day
        limit = site.number("interaction.limit_days")
        cutoff = day - datetime.timedelta(days=limit)
        tasks = CaseTask.objects.filter(
            site=site.website,
            case__kind__in=list(KINDS),
            status__in=OPEN_TASK_STATUSES,
        )
        findings = []
        stale = tasks.filter(case__opened_at__date__lt=cutoff).count()
        if stale:
            findings.append(
                {
                    "severity": "veto",
                    "title": f"{stale} 件来信或申请超过 {limit} 天未答复",
                    "fix": "在“信箱与申请”中逐件答复或转办；确属无效的，写明理由后不予受理。",
                    "admin_path": "/admin/letters/?open=1",
                }
            )
        overdue = tasks.filter(deadline__lt=day, case__opened_at__date__gte=cutoff).count()
        if overdue:
            findings.append(
                {
                    "severity": "warning",
                    "title": f"{overdue} 件来信或申请已超过答复期限",
                    "fix": "尽快答复；超过三个月未答复将被单项否决。",
                    "admin_path": "/admin/letters/?open=1",
                }
            )
        posts = BoardPost.objects.filter(
            status=Moderation.HELD, created_at__date__lt=cutoff
        ).count()
        asked = Consultation.objects.filter(
            status=Consultation.Status.PENDING, created_at__date__lt=cutoff
        ).count()
        if posts or asked:
            findings.append(
                {
                    "severity": "veto",
                    "title": f"留言 {posts} 条、咨询 {asked} 条超过 {limit} 天未处理",
                    "fix": "在“互动交流”中审理留言、答复咨询。",
                    "admin_path": "/admin/interaction/",
                }
            )
        return findings
