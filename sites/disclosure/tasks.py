"""Thin Celery tasks: the scheduled-publishing sweep that beat sends every minute."""

from django.db import connection

from config.celery import SiteTask, app

from . import services


@app.task(name="disclosure.publish_scheduled_all_sites")
def publish_scheduled_all_sites():
    """Fan out: one task per site, each running in its own schema."""
    from config.tasks import enqueue

    for schema in services.site_schemas():
        enqueue(publish_scheduled_site, schema=schema)


@app.task(name="disclosure.publish_scheduled_site", base=SiteTask)
def publish_scheduled_site():
    services.publish_scheduled_for_site(connection.schema_name)
