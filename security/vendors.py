"""Outsourced operators get exactly what their contract covers (O3, issue 13 item 15).

A VendorGrant names the account's sections and contract end. The account's page rights are a
group of its own (外包运维·<username>) holding add/change on those sections only — Wagtail's
page permissions are per group — kept in step whenever the grant or its sections change; the
外包运维 role itself carries no page rights any more (roles.py). After the contract end the
account cannot sign in (the sign-in form) and an open session ends (IdleTimeoutMiddleware);
webmasters see the contracts ending within VENDOR_CONTRACT_WARNING_DAYS on their dashboard.
"""

import datetime

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from .models import VendorGrant

GROUP_PREFIX = "外包运维·"
PAGE_PERMISSIONS = ("add_page", "change_page")
MANAGE_PERMISSION = "security.change_vendorgrant"


def warning_days() -> int:
    return getattr(settings, "VENDOR_CONTRACT_WARNING_DAYS", 14)


def group_name(user) -> str:
    return f"{GROUP_PREFIX}{user.get_username()}"[:150]


def sync(grant: VendorGrant) -> Group:
    """The account's own group: add/change pages on the granted sections, nothing else."""
    from wagtail.models import GroupPagePermission

    from .roles import OUTSOURCED_OPERATOR

    group, _ = Group.objects.get_or_create(name=group_name(grant.user))
    sections = list(grant.sections.all())
    GroupPagePermission.objects.filter(group=group).exclude(page__in=sections).delete()
    permissions = Permission.objects.filter(
        content_type__app_label="wagtailcore", codename__in=PAGE_PERMISSIONS
    )
    GroupPagePermission.objects.bulk_create(
        [
            GroupPagePermission(group=group, page=page, permission=permission)
            for page in sections
            for permission in permissions
        ],
        ignore_conflicts=True,
    )
    grant.user.groups.add(group, *Group.objects.filter(name=OUTSOURCED_OPERATOR))
    return group


def _grant_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        sync(instance)


def _sections_changed(sender, instance, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, VendorGrant):
        sync(instance)


def _grant_deleted(sender, instance, **kwargs):
    Group.objects.filter(name=group_name(instance.user)).delete()


def connect():
    post_save.connect(_grant_saved, sender=VendorGrant, dispatch_uid="vendor_grant_saved")
    m2m_changed.connect(
        _sections_changed, sender=VendorGrant.sections.through, dispatch_uid="vendor_sections"
    )
    post_delete.connect(_grant_deleted, sender=VendorGrant, dispatch_uid="vendor_grant_deleted")


def ended_contract(user, today: datetime.date | None = None) -> VendorGrant | None:
    """The grant of `user` if its contract has ended (the account may not sign in)."""
    if not getattr(user, "pk", None):
        return None
    today = today or timezone.localdate()
    return VendorGrant.objects.filter(user_id=user.pk, contract_end__lt=today).first()


def ended_message(grant: VendorGrant) -> str:
    return (
        f"外包运维合同已于 {grant.contract_end:%Y-%m-%d} 到期，此账户不能再登录。"
        "如合同已续签，请联系网站管理员更新授权。"
    )


def ending_soon(today: datetime.date | None = None):
    """Contracts ending within the warning period, or ended (accounts still assigned)."""
    today = today or timezone.localdate()
    return VendorGrant.objects.filter(
        contract_end__lte=today + datetime.timedelta(days=warning_days())
    ).select_related("user")


def vendor_usernames(grant_id: str | None = None) -> list[str]:
    """The accounts of every vendor grant (or of one), for the audit trail's filter."""
    grants = VendorGrant.objects.select_related("user")
    if grant_id and grant_id != "all":
        grants = grants.filter(pk=grant_id if str(grant_id).isdigit() else None)
    return [grant.user.get_username() for grant in grants]
