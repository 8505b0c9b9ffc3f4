"""Site-level probes run as tasks (monitoring, T2). Thin: the work is a query."""

from django.db import connection
from wagtail.models import Page

from config.celery import SiteTask, app


@app.task(base=SiteTask, name="sites.core.live_page_count")
def live_page_count():
    """How many live pages the site serves: a cheap health probe of one site's schema."""
    return {"schema": connection.schema_name, "live_pages": Page.objects.live().count()}
