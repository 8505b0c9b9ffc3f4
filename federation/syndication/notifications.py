"""Mail to the portal's curators when an offer reaches their inbox (issue 13 item 8).

Sent in the portal's schema, to its curators and webmasters who have an address; where no
EMAIL_URL is set the mail lands in the portal's own folder and admin mail list (sites.core.mail).
"""

import logging

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse
from django_tenants.utils import schema_context
from wagtail.models import Site

from security.roles import MUNICIPAL_CURATOR, WEBMASTER

from .models import SyndicationOffer

logger = logging.getLogger("jiyue.syndication")


def recipients() -> list[str]:
    """In the current (receiving) schema: who decides offers."""
    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[MUNICIPAL_CURATOR, WEBMASTER])
        .exclude(email="")
        .distinct()
    )
    return sorted({user.email for user in users})


def notify_offer(offer_id: int) -> int:
    offer = (
        SyndicationOffer.objects.select_related("item", "source", "target")
        .filter(pk=offer_id, status=SyndicationOffer.Status.PENDING)
        .first()
    )
    if offer is None:
        return 0
    with schema_context(offer.target.schema_name):
        to = recipients()
        if not to:
            return 0
        site = Site.objects.filter(is_default_site=True).first()
        root = site.root_url if site else f"http://{offer.target.primary_domain}"
        inbox = f"{root}{reverse('syndication_inbox')}"
        body = (
            f"{offer.source.legal_name}报送了一条信息，等待您审核：\n\n"
            f"  {offer.item.title}\n\n"
            f"请到报送收件箱采用或说明理由后不予采用：\n{inbox}\n"
        )
        try:
            return send_mail(f"【待审核报送】{offer.item.title}", body, None, to)
        except OSError:
            logger.exception("offer %s: the notification could not be sent", offer.pk)
            return 0
