"""Who answers for a site, by mail (O1, Z3): the registry's contact address and the site's
active webmasters. Monitoring's alerts and the emergency plan's notices both go to them.

Sent in the site's schema, so without EMAIL_URL each message is filed under that site's mail
folder (sites.core.mail) and listed in its admin (邮件).
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django_tenants.utils import schema_context

from security.roles import WEBMASTER

from ..models import Website

log = logging.getLogger("jiyue.incidents")


def responsible_emails(website) -> list[str]:
    emails = {website.contact_email} if website.contact_email else set()
    with schema_context(website.schema_name):
        emails |= set(
            get_user_model()
            .objects.filter(is_active=True, groups__name=WEBMASTER)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    return sorted(emails)


def mail_site(website, subject: str, body: str) -> list[str]:
    """Send to `website`'s responsible people; returns the addresses (empty: nobody on record)."""
    to = responsible_emails(website)
    if not to:
        log.warning("no responsible people with an address on record for %s", website.schema_name)
        return []
    with schema_context(website.schema_name):
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    return to


def mail_office(subject: str, body: str) -> list[str]:
    """The municipal office: the portal's responsible people (it watches every site)."""
    portal = Website.objects.portal()
    return mail_site(portal, subject, body) if portal else []
