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
