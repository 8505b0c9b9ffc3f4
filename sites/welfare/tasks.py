"""Thin tasks: the periodic import of every site's due feeds (CELERY_BEAT_SCHEDULE)."""

from django_tenants.utils import get_tenant_model, schema_context

from config.celery import SiteTask, app
from config.tasks import enqueue

from . import feeds


def _site_schemas():
    model = get_tenant_model()
    return list(
        model.objects.exclude(schema_name__in=["public", "site_template"])
        .exclude(status="archived")
        .values_list("schema_name", flat=True)
    )


@app.task(name="welfare.import_feeds_all_sites")
def import_feeds_all_sites():
    """Fan out: one task per site that has enabled feeds, in its schema."""
    from .models import FeedSource

    for schema in _site_schemas():
        with schema_context(schema):
            if not FeedSource.objects.filter(enabled=True).exists():
                continue
        enqueue(import_feeds_site, schema=schema)


@app.task(name="welfare.import_feeds_site", base=SiteTask)
def import_feeds_site():
    return feeds.import_due()
