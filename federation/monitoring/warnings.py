"""Early warnings (issue 16 item 4): before a site reaches a veto line, its people hear of it.

The indicators say what is a warning (home page not updated for 10 days, more than 2 empty
columns, availability below 97%, a letter near its deadline…): findings of severity "warning".
They show on the site's admin dashboard (我的待办, from the latest card) and are mailed to the
site's responsible people on record, once per indicator and day; a veto is mailed likewise.
"""

from django.db import IntegrityError, transaction

from . import notify
from .models import Finding, WarningNotice

MAILED = (Finding.Severity.WARNING, Finding.Severity.VETO)


def send_warnings(website, card) -> int:
    """Mail the card's warnings and vetoes not yet mailed today; returns mails sent."""
    pending = {}
    for finding in card.findings.filter(severity__in=MAILED).order_by("severity", "pk"):
        pending.setdefault(finding.indicator, []).append(finding)
    sent = 0
    for indicator, findings in pending.items():
        try:
            with transaction.atomic():
                notice = WarningNotice.objects.create(
                    website=website, day=card.day, indicator=indicator
                )
        except IntegrityError:
            continue  # mailed already today
        vetoed = any(f.severity == Finding.Severity.VETO for f in findings)
        subject = (
            f"【{'单项否决' if vetoed else '监测预警'}】{website.legal_name}：{findings[0].title}"
        )
        lines = [
            f"{website.legal_name} {card.day:%Y-%m-%d} 的网站监测发现以下问题"
            + ("（已触及单项否决）：" if vetoed else "，尚未触及单项否决，请及时整改："),
            "",
        ]
        for f in findings:
            lines.append(f"· {f.title}")
            if f.fix:
                lines.append(f"  整改：{f.fix}")
            if f.admin_path:
                lines.append(f"  处理位置：{notify.admin_link(website, f.admin_path)}")
        lines += ["", f"本站评分卡：{notify.admin_link(website, '/admin/monitoring/')}"]
        notice.recipients = notify.mail_site(website, subject, "\n".join(lines))
        notice.save(update_fields=["recipients"])
        sent += 1 if notice.recipients else 0
    return sent
