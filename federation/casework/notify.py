"""Mail to a site about its cases: the task's handler, the site's case handlers (办件员) and
webmasters. Sent in the site's own schema, so mail kept on disk lands in that site's folder
(sites.core.mail) and its 邮件 view lists it. Personal data stays out of the mail: the
number, the title and the deadline only; the handler reads the rest in the admin.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django_tenants.utils import schema_context

from security.roles import CASE_HANDLER, WEBMASTER


def recipients(site, task=None) -> list[str]:
    emails = set()
    with schema_context(site.schema_name):
        users = get_user_model().objects.filter(
            is_active=True, groups__name__in=[CASE_HANDLER, WEBMASTER]
        )
        emails |= {email for email in users.values_list("email", flat=True) if email}
    if task is not None and task.handler_email:
        emails.add(task.handler_email)
    if not emails and site.contact_email:
        emails.add(site.contact_email)
    return sorted(emails)


def mail_site(site, subject: str, body: str, task=None) -> bool:
    to = recipients(site, task)
    if not to:
        return False
    with schema_context(site.schema_name):
        admin = f"{_root(site)}/admin/casework/"
        send_mail(
            subject,
            f"{body}\n\n请登录网站后台“办件”处理：{admin}\n",
            settings.DEFAULT_FROM_EMAIL,
            to,
        )
    return True


def _root(site) -> str:
    domain = site.primary_domain
    port = settings.SITE_PUBLIC_PORT
    return f"http://{domain}" + ("" if port in (80, 443) else f":{port}")


APPLICANT_NEWS = {
    "request_supplement": "需要补正材料",
    "refuse": "不予受理",
    "complete": "已办结",
}


def mail_applicant(case, action: str, note: str = "") -> bool:
    """Tell the applicant (when they gave an email) that their case needs them or is done.
    Sent from the lead site's schema; the query code is not repeated (they hold it)."""
    address = (case.applicant or {}).get("email") or ""
    if action not in APPLICANT_NEWS or "@" not in address:
        return False
    site = case.lead_site
    news = APPLICANT_NEWS[action]
    body = (
        f"您提交的“{case.title}”（受理编号 {case.number}）{news}。\n"
        + (f"\n{note}\n" if note else "")
        + f"\n请凭受理编号和查询码在 {_root(site)}/banjian/ 查看详情"
        + ("并提交补正材料" if action == "request_supplement" else "")
        + "。\n"
    )
    with schema_context(site.schema_name):
        send_mail(
            f"【{site.short_name}】办件 {case.number} {news}",
            body,
            settings.DEFAULT_FROM_EMAIL,
            [address],
        )
    return True
