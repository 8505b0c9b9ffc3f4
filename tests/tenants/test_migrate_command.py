"""The migrate command every schema runs (tenants.migrate_command): migrations the router keeps
out of a schema are recorded without rendering models; the others work as in Django.

Run in a scratch schema inside the test's transaction (its tables are rolled back with it).
"""

import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import get_tenant_base_migrate_command_class

from tenants.migrate_command import Command, SchemaMigrationExecutor

pytestmark = pytest.mark.django_db

SCRATCH = "migrate_probe"
SHARED_ONLY = ("incidents", "0001_initial")  # public schema only; needs tenants 0001–0005
BOTH = ("contenttypes", "0002_remove_content_type_name")  # in every schema


@pytest.fixture
def scratch_site_schema():
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {SCRATCH}")
    # The migration history of the scratch schema, not the public one behind it.
    connection.set_schema(SCRATCH, include_public=False)
    SchemaMigrationExecutor(connection).recorder.ensure_schema()
    connection.set_schema(SCRATCH)
    yield
    connection.set_schema_to_public()


def tables_in_scratch():
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [SCRATCH])
        return {name for (name,) in cursor.fetchall()}


def test_django_tenants_runs_this_command_in_every_schema():
    assert settings.TENANT_BASE_MIGRATE_COMMAND == "tenants.migrate_command.Command"
    assert get_tenant_base_migrate_command_class() is Command


def test_a_migration_with_no_work_in_the_schema_is_recorded_without_rendering_models(
    scratch_site_schema,
):
    executor = SchemaMigrationExecutor(connection)
    state = executor.migrate([SHARED_ONLY])

    # Django's own loop renders every model before each migration (1 s with Wagtail's).
    assert "apps" not in state.__dict__
    assert ("incidents", "securityincident") in state.models  # the state moved on all the same
    assert "incidents_securityincident" not in tables_in_scratch()
    assert "tenants_website" not in tables_in_scratch()
    executor.loader.build_graph()
    assert SHARED_ONLY in executor.loader.applied_migrations
    assert ("tenants", "0001_initial") in executor.loader.applied_migrations


def test_a_migration_with_work_in_the_schema_still_does_it(scratch_site_schema):
    executor = SchemaMigrationExecutor(connection)
    executor.migrate([SHARED_ONLY, BOTH])

    assert "django_content_type" in tables_in_scratch()
    assert "incidents_securityincident" not in tables_in_scratch()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_migrations WHERE app = 'contenttypes'")
        assert cursor.fetchone()[0] == 2
