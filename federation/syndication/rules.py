"""The rules of who receives what, as plain functions: easy to read, easy to test."""

from django.conf import settings

from security.roles import MUNICIPAL_CURATOR, WEBMASTER
from tenants.models import Website

from .models import Audience, Delivery


class SyndicationError(Exception):
    """A syndication action refused: the message says why, in words an editor understands."""


KINDS_BY_AUDIENCE = {
    Audience.ALL_DISTRICTS: {Website.Kind.DISTRICT},
    Audience.ALL_DEPARTMENTS: {Website.Kind.DEPARTMENT},
    Audience.ALL_SITES: set(Website.SITE_KINDS),
}


def in_audience(website, audience: str, chosen_ids) -> bool:
    if audience == Audience.CHOSEN:
        return website.pk in set(chosen_ids)
    return website.kind in KINDS_BY_AUDIENCE.get(audience, set())


def subscription_matches(subscription, item, source_ids=()) -> bool:
    """Does a library item belong in the subscribing column?

    Never the receiving site's own items, never withdrawn ones; then the source must be in the
    subscription's audience, and the item's type and category in its lists (empty = any).
    """
    if not subscription.active or item.withdrawn:
        return False
    if item.site_id == subscription.target_id:
        return False
    if not in_audience(item.site, subscription.audience, source_ids):
        return False
    if subscription.item_types and item.item_type not in subscription.item_types:
        return False
    return not (subscription.categories and item.category not in subscription.categories)


def audience_sites(audience: str, chosen=(), exclude=None):
    """The active sites a push-down goes to (never its own source)."""
    sites = Website.objects.filter(kind__in=Website.SITE_KINDS, status=Website.Status.ACTIVE)
    if audience == Audience.CHOSEN:
        sites = sites.filter(pk__in=[getattr(s, "pk", s) for s in chosen])
    else:
        sites = sites.filter(kind__in=KINDS_BY_AUDIENCE[audience])
    if exclude is not None:
        sites = sites.exclude(pk=exclude.pk)
    return sites.order_by("schema_name")


def copy_should_be_live(delivery) -> bool:
    """A copy is live while its original is current and the receiving site has not declined it."""
    item = delivery.item
    return (
        delivery.status != Delivery.Status.DECLINED
        and not item.withdrawn
        and item.site.status == Website.Status.ACTIVE
    )


def can_curate(user) -> bool:
    """Portal curators (and the municipal office posting broadcasts): the portal's 市级编审
    and 网站管理员 roles (SYNDICATION_CURATOR_GROUPS), and superusers."""
    if not user.is_authenticated or not user.is_active:
        return False
    groups = getattr(settings, "SYNDICATION_CURATOR_GROUPS", (MUNICIPAL_CURATOR, WEBMASTER))
    return user.is_superuser or user.groups.filter(name__in=groups).exists()


def can_decline_copies(user) -> bool:
    """The receiving site's webmaster decides which optional copies it keeps."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name=WEBMASTER).exists()
