"""The Celery app. Tasks carry their site's schema (tenant-schemas-celery).

With CELERY_BROKER_URL unset, tasks run in-process (eager) — `enqueue()` still defers them
until the sending transaction commits, so the two setups behave alike.
"""

import os

from celery.signals import task_postrun
from django.db import close_old_connections, connection
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


@task_postrun.connect
def _connections_as_after_a_request(**kwargs):
    """A worker's connections follow the rule a web request's do (CELERY_DB_REUSE_MAX keeps
    Celery from closing them after every task): closed when older than CONN_MAX_AGE or left
    unusable by an error, kept otherwise. Each task sets its own schema on the connection
    (tenant-schemas-celery), as each request does."""
    if not getattr(kwargs.get("task").request, "is_eager", False):
        close_old_connections()
