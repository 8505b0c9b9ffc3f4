"""Migrations across all sites: current schemas skipped, one site's failure named and resumed.

The resume test runs the real commands in subprocesses against a database of its own on the
test server (the forked migration workers need committed sites). The migration it applies
is a real one, `wagtailembeds.0009_embed_cache_until` (an AddField, a leaf: nothing depends
on it): it is unapplied in every schema, and in one named site the column is left in place,
so re-applying it there fails as a conflicting hand-made change would.
"""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models.signals import post_migrate

from tenants import migrating
from tests.tenants.test_upgrade import database_url, recreate

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
LEAF = ("wagtailembeds", "0009_embed_cache_until")

PREPARE = """
from django.db import connection
from tenants import services
for schema in ("mig_a", "mig_b", "mig_c"):
    services.provision_site(kind="department", legal_name=f"迁移测试{schema}", short_name=schema,
        domain=f"{schema.replace('_', '')}.localhost", schema_name=schema, webmaster_password="Migrate-Pass-2026")
with connection.cursor() as cursor:
    for schema in ("site_template", "mig_a", "mig_b", "mig_c"):
        cursor.execute(f"DELETE FROM {schema}.django_migrations "
                       "WHERE app = 'wagtailembeds' AND name = '0009_embed_cache_until'")
        if schema != "mig_b":  # mig_b keeps the column: re-adding it fails there
            cursor.execute(f"ALTER TABLE {schema}.wagtailembeds_embed DROP COLUMN cache_until")
print("PREPARED")
"""

STATE = """
from django.db import connection
from django.test import Client
from tenants import migrating
print("BEHIND", ",".join(migrating.schemas_behind(migrating.tenant_schemas())))
print("HOME", Client().get("/", HTTP_HOST="miga.localhost").status_code)
"""

REPAIR = """
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("ALTER TABLE mig_b.wagtailembeds_embed DROP COLUMN cache_until")
"""


def manage(args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def ok(result):
    assert result.returncode == 0, f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


# The slowest tests: about 4 min on a loaded 2-core machine (the default bound is 600 s).
@pytest.mark.timeout(1200)
def test_a_failure_on_one_site_names_it_leaves_the_others_migrated_and_a_rerun_completes_it():
    name = f"{connection.settings_dict['NAME']}_migrations"
    recreate(name)
    env = {
        **os.environ,
        "DATABASE_URL": database_url(name),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "ALLOW_LOCALHOST_DOMAINS": "1",
        "CELERY_BROKER_URL": "",
        "REDIS_URL": "",
    }
    try:
        fresh = ok(manage(["setup_platform"], env))
        # The template, built in a process of its own beside the public schema, is complete.
        assert "Making the site template alongside" in fresh
        assert "1 of 1 site schemas already current" in fresh
        assert "PREPARED" in ok(manage(["shell", "-c", PREPARE], env))

        failed = manage(["setup_platform", "--processes", "2"], env)
        assert failed.returncode != 0
        assert "0 of 4 site schemas already current" in failed.stdout
        for schema in ("site_template", "mig_a", "mig_c"):
            assert f"{schema}: migrated" in failed.stdout
        assert "mig_b: FAILED" in failed.stdout
        assert "1 of 4 site schemas failed to migrate: mig_b." in failed.stderr
        assert "DuplicateColumn" in failed.stderr or "already exists" in failed.stderr
        assert "run `manage.py setup_platform` again" in failed.stderr
        state = ok(manage(["shell", "-c", STATE], env))
        assert "BEHIND mig_b\n" in state  # the template and the other sites are current
        assert "HOME 200" in state  # and serving

        ok(manage(["shell", "-c", REPAIR], env))
        rerun = ok(manage(["setup_platform"], env))
        assert "3 of 4 site schemas already current" in rerun
        assert "mig_b: migrated" in rerun
        assert "BEHIND \n" in ok(manage(["shell", "-c", STATE], env))

        noop = ok(manage(["setup_platform"], env))
        assert "4 of 4 site schemas already current" in noop
        assert "to migrate" in noop and "migrated (" not in noop
        # Provisioned with the current roles: no site schema is visited for them.
        assert "Roles ensured on 0 sites" in noop
    finally:
        recreate(name, drop_only=True)


def test_sites_with_one_history_are_migrated_as_migrate_schemas_does_with_the_models_rendered_once(
    alpha, beta, monkeypatch
):
    rendered, migrated_in = [], []
    original = MigrationExecutor._create_project_state

    def create_project_state(executor, with_applied_migrations=False):
        rendered.append(with_applied_migrations)
        return original(executor, with_applied_migrations)

    def post_migrate_handler(sender, **kwargs):
        if sender.label == "auth":  # one per schema: post_migrate goes to every app
            migrated_in.append(connection.schema_name)

    monkeypatch.setattr(MigrationExecutor, "_create_project_state", create_project_state)
    post_migrate.connect(post_migrate_handler)
    migrator = migrating._migrator()
    monkeypatch.setattr(migrator, "states_before", {})
    monkeypatch.setattr(migrator, "apps_after", {})
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                for schema in ("alpha", "beta"):
                    cursor.execute(
                        f"DELETE FROM {schema}.django_migrations WHERE app = %s AND name = %s",  # noqa: S608
                        list(LEAF),
                    )
                    cursor.execute(
                        f"ALTER TABLE {schema}.wagtailembeds_embed DROP COLUMN cache_until"
                    )
            assert migrating.schemas_behind(["alpha", "beta"]) == ["alpha", "beta"]

            results = [migrating.migrate_schema(schema) for schema in ("alpha", "beta")]

            assert [(schema, error) for schema, error, _ in results] == [
                ("alpha", None),
                ("beta", None),
            ]
            assert migrating.schemas_behind(["alpha", "beta"]) == []
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT table_schema FROM information_schema.columns WHERE "
                    "table_name = 'wagtailembeds_embed' AND column_name = 'cache_until' "
                    "AND table_schema IN ('alpha', 'beta', 'public') ORDER BY 1"
                )
                assert cursor.fetchall() == [("alpha",), ("beta",)]  # a tenant app: not public
            assert connection.schema_name == "public"
            transaction.set_rollback(True)
    finally:
        post_migrate.disconnect(post_migrate_handler)
    assert rendered == [True]  # the state before the migration: rendered for alpha only
    assert migrated_in == ["alpha", "beta"]  # post_migrate in each schema, as migrate sends it


def test_a_site_whose_table_is_held_fails_within_the_bound_and_says_why(alpha, settings):
    """A migration waiting behind another transaction's lock would queue the site's every
    query on that table behind it: past TENANT_MIGRATION_LOCK_TIMEOUT it gives up instead."""
    settings.TENANT_MIGRATION_LOCK_TIMEOUT = "1s"
    holding, release = threading.Event(), threading.Event()

    def hold_the_table():  # a reader with a transaction open on alpha's embeds
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM alpha.wagtailembeds_embed")
                holding.set()
                release.wait(30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_table)
    holder.start()
    try:
        assert holding.wait(10)
        with transaction.atomic():
            with connection.cursor() as cursor:  # the AddField is due again in alpha
                cursor.execute(
                    "DELETE FROM alpha.django_migrations WHERE app = %s AND name = %s", list(LEAF)
                )
            started = time.monotonic()
            schema, error, _ = migrating.migrate_schema("alpha")
            waited = time.monotonic() - started
            transaction.set_rollback(True)
    finally:
        release.set()
        holder.join(30)
    assert schema == "alpha"
    # Without the bound the ALTER TABLE waits until the reader ends (30 s), then fails on
    # the column already there.
    assert waited < 20, error
    assert "TENANT_MIGRATION_LOCK_TIMEOUT (1s)" in error
    assert "lock timeout" in error


def test_schemas_behind_names_only_the_site_missing_a_migration(alpha, beta):
    assert migrating.schemas_behind(["alpha", "beta", "site_template"]) == []
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM alpha.django_migrations WHERE app = %s AND name = %s", list(LEAF)
            )
        assert migrating.schemas_behind(["alpha", "beta", "site_template"]) == ["alpha"]
        transaction.set_rollback(True)


def test_a_schema_never_migrated_counts_as_behind():
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("CREATE SCHEMA never_migrated")
        assert migrating.schemas_behind(["never_migrated", "alpha"]) == ["never_migrated"]
        transaction.set_rollback(True)


def test_every_tenant_migration_on_disk_is_required():
    required = migrating.required_migrations()
    assert LEAF in required
    assert not any(app == "tenants" for app, _ in required)  # a shared app, not in a site
