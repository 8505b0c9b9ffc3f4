"""The Celery app. Tasks carry their site's schema (tenant-schemas-celery).

With CELERY_BROKER_URL unset, tasks run in-process (eager) — `enqueue()` still defers them
until the sending transaction commits, so the two setups behave alike.
"""

import os

from django.db import connection
from tenant_schemas_celery.app import CeleryApp
from tenant_schemas_celery.task import TenantTask

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")


class SiteTask(TenantTask):
    """A task that works on one site's data. Sent with no site, it fails loudly rather than
    quietly reading the public schema's (empty) tables."""

    abstract = True

    def __call__(self, *args, **kwargs):
        if connection.schema_name == "public":
            raise RuntimeError(
                f"Task {self.name} needs a site but ran in the public schema: send it inside "
                "schema_context(<site schema>) or with tasks.enqueue(..., schema=...)."
            )
        return super().__call__(*args, **kwargs)


app = CeleryApp("jiyue")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
