"""Thin tasks for the site family: the scheduled-publishing sweep beat sends every minute."""

from django.db import connection

from config.celery import SiteTask, app
from config.tasks import enqueue
from sites.core import deadlines

from . import scheduling, spares


@app.task(name="tenants.publish_scheduled_all_sites")
def publish_scheduled_all_sites():
    """Fan out: one task per site, each running in its own schema."""
    for schema in scheduling.site_schemas():
        enqueue(publish_scheduled_site, schema=schema)


@app.task(name="tenants.publish_scheduled_site", base=SiteTask)
def publish_scheduled_site():
    scheduling.publish_scheduled_for_site(connection.schema_name)


@app.task(name="tenants.mail_deadlines_all_sites")
def mail_deadlines_all_sites():
    """Fan out the deadline mail (sites.core.deadlines): one task per site, in its schema."""
    for schema in scheduling.site_schemas():
        enqueue(mail_deadlines_site, schema=schema)


@app.task(name="tenants.mail_deadlines_site", base=SiteTask)
def mail_deadlines_site():
    return deadlines.mail_deadlines()


@app.task(name="tenants.replenish_spares")
def replenish_spares():
    """Keep TENANT_SPARE_SCHEMAS copies of the template ready for new sites (tenants.spares)."""
    return spares.replenish()
