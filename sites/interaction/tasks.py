"""Thin tasks: a call to services out."""

from config.celery import SiteTask, app

from . import exports


@app.task(base=SiteTask, name="interaction.build_survey_export")
def build_survey_export(export_id):
    """A big survey's XLSX, off the request, in the site's schema (sent with its schema)."""
    export = exports.build(export_id)
    return export.status if export is not None else None
