"""Emergency read-only mode (Z1): a frozen site serves its pages and refuses every write."""

from django.db import connection
from django.utils import timezone

from audit.services import record
from tenants import services as tenant_services


def freeze(website, reason: str = "") -> bool:
    connection.set_schema_to_public()  # the registry is only written from the public schema
    if website.frozen_at:
        return False
    website.frozen_at = timezone.now()
    website.frozen_reason = (reason or "应急处置")[:200]
    website.save(update_fields=["frozen_at", "frozen_reason", "updated_at"])
    for schema in ("public", website.schema_name):
        record("console.site_frozen", schema_name=schema, obj=website, changes={"reason": website.frozen_reason})
    return True


def unfreeze(website) -> bool:
    connection.set_schema_to_public()
    if not website.frozen_at:
        return False
    since = website.frozen_at
    website.frozen_at = None
    website.frozen_reason = ""
    website.save(update_fields=["frozen_at", "frozen_reason", "updated_at"])
    for schema in ("public", website.schema_name):
        record("console.site_unfrozen", schema_name=schema, obj=website, changes={"frozen_since": since.isoformat()})
    return True


def is_frozen(schema_name: str) -> bool:
    """Background work that would write a site's data asks this first (scheduled publishing,
    syndicated deliveries): a frozen site refuses every write, not only its visitors'."""
    from tenants.models import Website

    return Website.objects.filter(schema_name=schema_name, frozen_at__isnull=False).exists()


def targets(schemas, all_sites: bool):
    if all_sites:
        return list(tenant_services.sites())
    return [tenant_services.get_site(name) for name in schemas]
