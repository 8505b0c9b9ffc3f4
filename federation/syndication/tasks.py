"""Thin tasks: ids and a schema in, a call to services out."""

from config.celery import SiteTask, app

from . import broadcasts, deliveries


@app.task(base=SiteTask, name="syndication.deliver")
def deliver(delivery_id: int):
    """Create, update or withdraw one copy, in the receiving site's schema."""
    try:
        return deliveries.deliver(delivery_id)
    except Exception as exc:
        # Left for the sweep: the Delivery row still says what the copy should be.
        deliveries.record_failure(delivery_id, exc)
        raise


@app.task(name="syndication.sweep_deliveries")
def sweep_deliveries():
    """Periodic: runs in the public schema and sends each delivery to its site."""
    return deliveries.sweep_deliveries()


@app.task(name="syndication.broadcast_boundaries")
def broadcast_boundaries():
    """Periodic: announce broadcasts that started or ended (cached pages go)."""
    return broadcasts.check_boundaries()
