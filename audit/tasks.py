"""The audit trail's scheduled check (Celery beat, or the in-process runner without a broker)."""

from config.celery import app


@app.task(name="audit.verify_chains")
def verify_chains():
    """Daily: every site's chain and the console's verified; the outcome joins the trail."""
    from . import services

    reports = services.verify_and_record()
    return {"chains": len(reports), "broken": [r.schema_name for r in reports if not r.ok]}
