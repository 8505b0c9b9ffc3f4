"""Thin tasks: ids and a schema in, a call to services out."""

from config.celery import SiteTask, app
from config.tasks import enqueue
from tenants.models import Website

from . import consumers, services


@app.task(base=SiteTask, name="library.process_outbox_event")
def process_outbox_event(event_id: int):
    item = services.process_event(event_id)
    return item.pk if item is not None else None


@app.task(base=SiteTask, name="library.process_site_outbox")
def process_site_outbox():
    website = Website.objects.current()
    claimed = services.process_pending_for_site(website)
    if claimed >= services.SWEEP_BATCH and services.has_pending(website):
        # A large resync: the rest in a task of its own, so other sites' tasks get their turn
        # in between rather than waiting for the sweep.
        enqueue(process_site_outbox, schema=website.schema_name, recoverable=True)
    return claimed


@app.task(base=SiteTask, name="library.run_consumer_steps")
def run_consumer_steps(item_id: int):
    """The pending consumer steps of one item (sent by the consumer sweep)."""
    return consumers.run_pending([item_id])


@app.task(base=SiteTask, name="library.run_site_consumer_steps")
def run_site_consumer_steps(item_ids: list[int]):
    """The pending consumer steps of these items of one site, a batch per consumer (sent by
    the consumer sweep)."""
    return consumers.run_pending(item_ids)


@app.task(name="library.sweep_outbox")
def sweep_outbox():
    """Periodic: runs in the public schema and sends each waiting row to its site."""
    return services.sweep_outbox()


@app.task(name="library.sweep_consumers")
def sweep_consumers():
    """Periodic: consumer steps a crash or an outage left pending, run again."""
    return consumers.sweep()


@app.task(name="library.prune_outbox")
def prune_outbox():
    """Daily: processed outbox rows older than 30 days are deleted."""
    return services.prune_outbox()
