"""Deadline mail (issue 13 item 8): a page about to go offline (its expiry date within
DEADLINE_WARNING) is announced once to the site's webmasters and the page's owner.

Runs in one site's schema (tenants.tasks fans it out to every site, hourly). Each notice is
logged in the page's history (action jiyue.deadline_mail, with the expiry it warned of), which
is also what keeps it from being sent twice; a new expiry date warns again.
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, PageLogEntry, Site

from security.roles import WEBMASTER

ACTION = "jiyue.deadline_mail"
DEADLINE_WARNING = datetime.timedelta(days=3)


def _recipients(page) -> list[str]:
    users = get_user_model().objects.filter(is_active=True, groups__name=WEBMASTER)
    emails = {user.email for user in users if user.email}
    if page.owner_id and page.owner.is_active and page.owner.email:
        emails.add(page.owner.email)
    return sorted(emails)


def mail_deadlines(now=None) -> int:
    """Announce what goes offline soon in the current site; returns the number of mails."""
    now = now or timezone.now()
    site = Site.objects.filter(is_default_site=True).first()
    root = site.root_url if site else ""
    sent = 0
    pages = Page.objects.live().filter(expire_at__gt=now, expire_at__lte=now + DEADLINE_WARNING)
    for page in pages.select_related("owner").order_by("expire_at"):
        expiry = page.expire_at.isoformat()
        if PageLogEntry.objects.filter(page=page, action=ACTION, data__expire_at=expiry).exists():
            continue
        to = _recipients(page)
        if not to:
            continue
        when = timezone.localtime(page.expire_at).strftime("%Y-%m-%d %H:%M")
        edit = root + reverse("wagtailadmin_pages:edit", args=(page.pk,))
        send_mail(
            f"【到期提醒】「{page.title}」将于 {when} 下线",
            f"「{page.title}」设置的下线时间是 {when}，到时将自动从网站撤下。\n\n"
            f"如需继续公开，请修改或清除下线时间并重新提交审核：\n{edit}\n",
            settings.DEFAULT_FROM_EMAIL,
            to,
        )
        PageLogEntry.objects.log_action(page, ACTION, data={"expire_at": expiry, "to": to})
        sent += 1
    return sent
