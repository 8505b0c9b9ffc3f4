"""The audit trail's scheduled check (Celery beat, or the in-process runner without a broker)."""

from datetime import timedelta

from django.utils import timezone

from config.celery import app

from . import services


@app.task(name="audit.verify_chains")
def verify_chains(min_interval_hours: float = 20):
    """Daily: every site's chain and the console's verified; the outcome joins the trail.
    Skipped when the last check is younger than `min_interval_hours`: without a broker every
    web process runs the periodic entries once at its start (config/periodic.py), and a
    restart should not add a check, and a record, each time."""

    latest = services.latest_verification()
    if latest and latest.created_at > timezone.now() - timedelta(hours=min_interval_hours):
        return {"skipped": f"verified at {latest.created_at.isoformat()}"}
    reports = services.verify_and_record()
    return {"chains": len(reports), "broken": [r.schema_name for r in reports if not r.ok]}
