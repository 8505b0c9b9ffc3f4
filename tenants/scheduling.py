"""Scheduled publishing and expiry (I4) in every site: Wagtail's `publish_scheduled`, run in
each active site's schema. Sites that are frozen (emergency read-only mode) wait: what falls
due then goes live at the first sweep after they are unfrozen."""

import io
import logging

from django.core.management import call_command
from django_tenants.utils import schema_context

from security.screening.guard import drop_blocked_schedules

from .models import Website

log = logging.getLogger("jiyue.tenants")


def publish_scheduled_for_site(schema_name: str) -> None:
    """Go live and expire what is due on one site, unless it is frozen."""
    with schema_context("public"):
        website = Website.objects.for_schema(schema_name)
    if website is not None and website.frozen_at:
        log.info("site %s is frozen: scheduled publishing waits", schema_name)
        return
    with schema_context(schema_name):
        # Serious 错敏词 refuse a go-live at the row; drop those schedules first, so Wagtail's
        # sweep is not stopped by the first refusal and goes on with the others.
        drop_blocked_schedules()
        call_command("publish_scheduled", stdout=io.StringIO())


def site_schemas() -> list[str]:
    """Sites whose pages may go live or expire: every site not archived."""
    with schema_context("public"):
        return list(
            Website.objects.sites()
            .exclude(status=Website.Status.ARCHIVED)
            .values_list("schema_name", flat=True)
        )


def publish_scheduled_everywhere() -> int:
    """One sweep over every site; a failing site is logged and the others still run."""
    done = 0
    for schema in site_schemas():
        try:
            publish_scheduled_for_site(schema)
            done += 1
        except Exception:
            log.exception("scheduled publishing failed for site %s", schema)
    return done
