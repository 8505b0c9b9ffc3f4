"""Thin tasks: ids and a schema in, a call to services out."""

from django.db import connection

from config.celery import SiteTask, app


@app.task(base=SiteTask, name="library.process_outbox_event")
def process_outbox_event(event_id: int):
    from . import services

    item = services.process_event(event_id)
    return item.pk if item is not None else None


@app.task(base=SiteTask, name="library.process_site_outbox")
def process_site_outbox():
    from tenants.models import Website

    from . import services

    return services.process_pending_for_site(Website.objects.get(schema_name=connection.schema_name))


@app.task(name="library.sweep_outbox")
def sweep_outbox():
    """Periodic (Celery beat): runs in the public schema and sends each row to its site."""
    from . import services

    return services.sweep_outbox()


@app.task(name="library.prune_outbox")
def prune_outbox():
    """Daily (Celery beat): processed outbox rows older than 30 days are deleted."""
    from . import services

    return services.prune_outbox()
