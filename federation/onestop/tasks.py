"""Thin tasks: a call to the apply module out."""

from config.celery import app

from . import apply


@app.task(name="onestop.sweep_pending")
def sweep_pending():
    """Periodic: remove the held uploads of application forms abandoned for a day."""
    return apply.sweep_pending()
