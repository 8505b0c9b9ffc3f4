"""An additive migration in a site schema: a fixed budget of queries, none reading the whole
catalog, and what `migrate`'s post_migrate handlers guarantee still done.

The migration is a real one, `wagtailembeds.0009_embed_cache_until` (an AddField, a leaf),
made unapplied in the test's sites inside a transaction that is rolled back.
"""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.signals import post_delete, post_migrate, post_save, pre_migrate
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from tenants import migrating
from tenants.migrate_command import history_table_looked_up_by_name

pytestmark = pytest.mark.django_db

LEAF = ("wagtailembeds", "0009_embed_cache_until")
EMBED_PERMISSIONS = {"add_embed", "change_embed", "delete_embed", "view_embed"}
# What a schema needs for an additive migration: the history table found, the history read
# (loader, consistency check, replacements), the DDL, its record, the rows check and the
# search paths. Django's handlers took ~190, four of them reading every row of pg_class.
BUDGET = 20


def unapply_leaf(*schemas):
    with connection.cursor() as cursor:
        for schema in schemas:
            cursor.execute(
                f"DELETE FROM {schema}.django_migrations WHERE app = %s AND name = %s",  # noqa: S608
                list(LEAF),
            )
            cursor.execute(f"ALTER TABLE {schema}.wagtailembeds_embed DROP COLUMN cache_until")


def embed_permissions(schema):
    with schema_context(schema):
        ContentType.objects.clear_cache()
        return set(
            Permission.objects.filter(
                content_type__app_label="wagtailembeds", content_type__model="embed"
            ).values_list("codename", flat=True)
        )


def test_an_additive_migration_takes_a_fixed_budget_of_queries_none_reading_the_catalog(
    alpha, beta
):
    with transaction.atomic():
        unapply_leaf("alpha", "beta")
        assert migrating.migrate_schema("alpha")[1] is None  # a process's first renders
        with CaptureQueriesContext(connection) as queries:
            schema, error, _ = migrating.migrate_schema("beta")
        assert (schema, error) == ("beta", None)
        assert migrating.schemas_behind(["alpha", "beta"]) == []
        statements = [query["sql"] for query in queries]
        assert len(statements) <= BUDGET, "\n".join(statements)
        # Django's table list filters pg_class row by row: a cost that grows with every site.
        assert not [sql for sql in statements if "pg_table_is_visible" in sql]
        transaction.set_rollback(True)


def test_a_model_new_to_a_schema_gets_its_content_type_and_permissions_when_migrated(alpha, beta):
    with transaction.atomic():
        unapply_leaf("alpha", "beta")
        # alpha as before a migration that adds the model, beta missing one permission.
        with schema_context("alpha"):
            ContentType.objects.filter(app_label="wagtailembeds", model="embed").delete()
        with schema_context("beta"):
            Permission.objects.filter(codename="view_embed").delete()
        assert embed_permissions("alpha") == set()
        assert embed_permissions("beta") == EMBED_PERMISSIONS - {"view_embed"}

        results = [migrating.migrate_schema(schema) for schema in ("alpha", "beta")]

        assert [error for _, error, _ in results] == [None, None]
        assert embed_permissions("alpha") == EMBED_PERMISSIONS
        assert embed_permissions("beta") == EMBED_PERMISSIONS
        transaction.set_rollback(True)


def test_migrating_leaves_every_signal_handler_connected_as_it_was(alpha):
    def handlers():
        return {
            signal: {key for key, *_ in signal.receivers}
            for signal in (pre_migrate, post_migrate, post_save, post_delete)
        }

    before = handlers()
    with transaction.atomic():
        unapply_leaf("alpha")
        assert migrating.migrate_schema("alpha")[1] is None
        transaction.set_rollback(True)
    assert handlers() == before


def test_the_history_table_is_looked_up_in_the_schema_itself_not_through_public(alpha):
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("CREATE SCHEMA never_migrated")
        for schema, expected in (("alpha", True), ("never_migrated", False), ("public", True)):
            connection.set_schema(schema)  # public on the search path, as when migrating
            assert MigrationRecorder(connection).has_table() is expected  # Django's answer
            with history_table_looked_up_by_name():
                assert MigrationRecorder(connection).has_table() is expected
        connection.set_schema_to_public()
        transaction.set_rollback(True)
