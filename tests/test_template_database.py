"""The test database every process copies (tests/template_database.py): current, never stale."""

import shutil

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_tenants.utils import schema_context

from tests import template_database

pytestmark = pytest.mark.django_db


def test_this_session_runs_on_a_copy_of_the_template_built_from_this_code():
    template = template_database.copied_from
    assert template.endswith(f"_template_{template_database.content_key()}")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT datname, datallowconn FROM pg_database WHERE datname IN (%s, %s)",
            [template, connection.settings_dict["NAME"]],
        )
        found = dict(cursor.fetchall())
    # The template stays closed (a copy fails while anyone is connected to it); the copy opens.
    assert found == {template: False, connection.settings_dict["NAME"]: True}


def test_every_schema_of_the_copy_has_every_migration_on_disk():
    """As a fresh build would: a template that missed a migration is caught here."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT schemaname FROM pg_tables WHERE tablename = 'django_migrations'"
        )
        schemas = {name for (name,) in cursor.fetchall()}
    assert {"public", "site_template", "alpha", "beta"} <= schemas
    for schema in sorted(schemas):
        with schema_context(schema):
            executor = MigrationExecutor(connection)
            unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
        assert not unapplied, f"{schema} lacks {[m.name for m, _ in unapplied]}"


def test_the_key_follows_code_and_migrations_but_not_page_templates(tmp_path, monkeypatch):
    for folder in ("sites", "tenants"):
        shutil.copytree(template_database.ROOT / folder, tmp_path / folder)
    (tmp_path / "tests").mkdir()
    for name in template_database.BUILD_FILES:
        shutil.copy(template_database.ROOT / name, tmp_path / name)
    monkeypatch.setattr(template_database, "ROOT", tmp_path)
    before = template_database.content_key()

    page_template = tmp_path / "sites/core/templates/core/home_page.html"
    page_template.write_text(page_template.read_text() + "<!-- a new footer -->")
    assert template_database.content_key() == before

    migration = tmp_path / "sites/core/migrations/9999_a_new_field.py"
    migration.write_text("from django.db import migrations\n")
    after_migration = template_database.content_key()
    assert after_migration != before

    step = tmp_path / "tests/conftest.py"  # what the build provisions
    step.write_text(step.read_text() + "\n# a third shared site\n")
    assert template_database.content_key() not in (before, after_migration)


def test_a_stale_template_is_dropped_when_the_current_one_exists():
    current = template_database.copied_from
    prefix = current.removesuffix(template_database.content_key())
    stale = f"{prefix}000000000000"
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{stale}"')
        template_database._drop_stale(cursor, prefix, keep=current)
        cursor.execute(
            "SELECT datname FROM pg_database WHERE datname IN (%s, %s)", [stale, current]
        )
        assert [name for (name,) in cursor.fetchall()] == [current]
