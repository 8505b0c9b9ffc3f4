"""New sites are copies of the `site_template` schema (P3: a site in about a second).

django-tenants clones the template and then runs `migrate_schemas --fake` on the copy, which
loads the whole migration graph (~0.4 s a site) only to record migrations the copied
`django_migrations` table already lists. We skip that step when the template is known to be
current, and fall back to django-tenants' path when it is not (a migration added since the
template was last migrated: `setup_platform` migrates it).
"""

from functools import lru_cache

from django.conf import settings
from django.db import connection
from django_tenants.clone import CloneSchema
from django_tenants.utils import app_labels, schema_exists


@lru_cache(maxsize=1)
def _required_migrations() -> frozenset:
    """Every tenant-app migration on disk, as (app, name); a squashed migration stands for
    the ones it replaces (those are what `django_migrations` records)."""
    from django.db.migrations.loader import MigrationLoader

    labels = set(app_labels(settings.TENANT_APPS))
    loader = MigrationLoader(None, ignore_no_migrations=True)
    required = set()
    for key, migration in loader.disk_migrations.items():
        if key[0] in labels:
            required.update(migration.replaces or [key])
    return frozenset(required)


def template_is_current(template: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app, name FROM "{template}".django_migrations')  # noqa: S608 (our setting)
        applied = set(cursor.fetchall())
    return _required_migrations() <= applied


def clone_template(schema_name: str) -> bool:
    """Copy the template into `schema_name`; False when the caller must take the slow path."""
    template = settings.TENANT_BASE_SCHEMA
    if not schema_exists(template) or not template_is_current(template):
        return False
    CloneSchema().clone_schema(template, schema_name, "DATA")
    connection.set_schema_to_public()
    return True
