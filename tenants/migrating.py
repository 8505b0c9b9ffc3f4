"""Migrating every site schema: the current ones skipped, the rest in parallel (P1 at scale).

django-tenants' `migrate_schemas` runs Django's whole `migrate` command in every schema, one
after another: it loads the migration graph and checks the history (~0.5 s) even where
nothing is to do, so a no-op run over 1,000 sites takes minutes. Its parallel executors
(`multiprocessing`, `subprocess`) only spread that same work: neither skips a current schema,
and the multiprocessing one stops at the first failure without naming the schema
(`Pool.map` re-raises one exception and drops every other result).

Here one query per batch of schemas reads every schema's `django_migrations` and compares it
with the migrations on disk; only the schemas behind are migrated, in a bounded pool of forked
processes, each doing what django-tenants' per-schema command does but rendering the
project's models once a process rather than twice a schema, and without the queries that
grow with the catalog or repeat app by app (SchemaMigrator). Each schema's result comes back
on its own, so one failure leaves the others migrated, and the run ends naming the failed
sites. A re-run finds them behind and completes them. The site template is a schema like the
others here (a registry row of kind "template"), so provisioning keeps cloning a current one.
"""

import multiprocessing
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import CommandError
from django.db import connection
from django.db.backends.postgresql.psycopg_any import sql
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.migrations.state import ModelState
from django_tenants.migration_executors.base import run_migrations
from django_tenants.signals import schema_migrated, schema_pre_migration
from django_tenants.utils import app_labels, get_public_schema_name

from .migrate_command import SchemaMigrationExecutor, history_table_looked_up_by_name

# Schemas per catalog query: one UNION ALL over 200 small tables plans and runs in
# milliseconds; the batch keeps the statement a reasonable size at 1,000 sites.
_BATCH = 200


@lru_cache(maxsize=1)
def required_migrations() -> frozenset:
    """Every tenant-app migration on disk, as (app, name); a squashed migration stands for
    the ones it replaces (those are what `django_migrations` records)."""

    labels = set(app_labels(settings.TENANT_APPS))
    loader = MigrationLoader(None, ignore_no_migrations=True)
    required = set()
    for key, migration in loader.disk_migrations.items():
        if key[0] in labels:
            required.update(migration.replaces or [key])
    return frozenset(required)


def schemas_behind(schemas: Iterable[str]) -> list[str]:
    """Those of `schemas` missing a tenant migration on disk, in the order given.

    A schema without a `django_migrations` table (never migrated) counts as behind."""
    schemas = list(schemas)
    required = sorted(f"{app}.{name}" for app, name in required_migrations())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relname = 'django_migrations' AND c.relkind = 'r' "
            "AND n.nspname = ANY(%s)",
            [schemas],
        )
        with_history = {name for (name,) in cursor.fetchall()}
        applied = {}
        batch_of_schemas = [s for s in schemas if s in with_history]
        for start in range(0, len(batch_of_schemas), _BATCH):
            batch = batch_of_schemas[start : start + _BATCH]
            query = sql.SQL(" UNION ALL ").join(
                sql.SQL(
                    "SELECT {name}, count(*) FROM {schema}.django_migrations "
                    "WHERE app || '.' || name = ANY({required})"
                ).format(
                    name=sql.Literal(schema),
                    schema=sql.Identifier(schema),
                    required=sql.Placeholder("required"),
                )
                for schema in batch
            )
            cursor.execute(query, {"required": required})
            applied.update(cursor.fetchall())
    return [s for s in schemas if applied.get(s, 0) < len(required)]


def schema_is_current(schema: str) -> bool:
    return not schemas_behind([schema])


@dataclass
class MigrationRun:
    """What a run over the sites did: each schema migrated, skipped or failed (with why)."""

    total: int = 0
    current: list[str] = field(default_factory=list)
    migrated: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed


def tenant_schemas() -> list[str]:
    """Every schema that holds a site's tables: the template first (a new site is cloned from
    it), then each registered site, archived ones included (they can be reactivated)."""
    from tenants.models import Website  # models import cloning, which imports this module

    template = settings.TENANT_BASE_SCHEMA
    names = list(
        Website.objects.exclude(schema_name__in=[get_public_schema_name(), template])
        .order_by("schema_name")
        .values_list("schema_name", flat=True)
    )
    if Website.objects.filter(schema_name=template).exists():
        names.insert(0, template)
    return names


def migrate_sites(
    schemas: list[str] | None = None,
    *,
    processes: int | None = None,
    progress: Callable[[str], None] = print,
) -> MigrationRun:
    """Bring every tenant schema (or `schemas`) to the migrations on disk."""
    schemas = tenant_schemas() if schemas is None else list(schemas)
    run = MigrationRun(total=len(schemas))
    started = time.perf_counter()
    behind = schemas_behind(schemas)
    run.current = sorted(set(schemas) - set(behind))
    progress(
        f"{len(run.current)} of {len(schemas)} site schemas already current "
        f"(checked in {time.perf_counter() - started:.1f} s); {len(behind)} to migrate."
    )
    if not behind:
        return run
    processes = max(1, min(processes or default_processes(), len(behind)))
    for done, (schema, error, seconds) in enumerate(_run(behind, processes), start=1):
        if error is None:
            run.migrated.append(schema)
            progress(f"[{done}/{len(behind)}] {schema}: migrated ({seconds:.1f} s)")
        else:
            run.failed[schema] = error
            progress(f"[{done}/{len(behind)}] {schema}: FAILED ({seconds:.1f} s): {error}")
    return run


def default_processes() -> int:
    """TENANT_MIGRATION_PROCESSES, else half the cores: migrations share the database
    server, which does most of the work, with the sites still serving."""
    configured = getattr(settings, "TENANT_MIGRATION_PROCESSES", None)
    return int(configured) if configured else max(1, (os.cpu_count() or 2) // 2)


def _run(schemas: list[str], processes: int):
    if processes == 1:
        for schema in schemas:
            yield migrate_schema(schema)
        return
    # Forked workers inherit the loaded apps and settings; an open connection must not be
    # shared across the fork (each child opens its own on first use). A worker that dies
    # (killed, out of memory) fails its sites by name instead of hanging the run, which
    # multiprocessing.Pool would do.
    connection.close()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
        futures = {pool.submit(migrate_schema, schema): schema for schema in schemas}
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as exc:  # noqa: BLE001 (the process, not the migration, failed)
                yield futures[future], f"the migrating process died: {exc!r}", 0.0


def migrate_schema(schema: str) -> tuple[str, str | None, float]:
    """Migrate one schema: (schema, error or None, seconds).

    Django runs each migration in its own transaction on PostgreSQL: a failure rolls back
    the migration that failed, and the ones before it in this schema stay applied."""
    started = time.perf_counter()
    try:
        with _lock_waits_bounded():
            _migrator().migrate(schema)
    except Exception as exc:  # noqa: BLE001 (reported per site; the other sites go on)
        connection.close()  # a failed migration can leave the connection unusable
        error = f"{type(exc).__name__}: {exc}".strip()
        if "lock timeout" in error:
            bound = settings.TENANT_MIGRATION_LOCK_TIMEOUT
            error = (
                f"waited more than TENANT_MIGRATION_LOCK_TIMEOUT ({bound}) for a table that "
                f"another transaction holds (a long query or an open transaction in this "
                f"site): {error}"
            )
        return schema, error, time.perf_counter() - started
    finally:
        connection.set_schema_to_public()
    return schema, None, time.perf_counter() - started


@contextmanager
def _lock_waits_bounded():
    """PostgreSQL's lock_timeout for this connection while one schema migrates, then back to
    the server's default. A failure skips the reset: the connection is closed then."""
    bound = settings.TENANT_MIGRATION_LOCK_TIMEOUT
    if not bound:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('lock_timeout', %s, false)", [bound])
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout TO DEFAULT")


@lru_cache(maxsize=1)
def _migrator() -> "SchemaMigrator":
    """One per process: a forked worker builds it on its first schema and keeps it."""
    return SchemaMigrator()


class SchemaMigrator:
    """What `migrate_schemas --schema=X` does in X, with the costly parts done once a process.

    django-tenants' per-schema command (django_tenants.migration_executors.base.
    run_migrations) runs Django's whole `migrate` command in the schema: it renders every
    model of the project state before the migrations (~300 models, most of a second) and
    again after them for the post_migrate handlers. Those states depend only on which
    migrations the schema has applied, and the sites, cloned from one template, share that
    history: each rendered state is kept here by the set of migrations it stands for, and
    a schema with the same history gets a clone of it, as `migrate` itself clones the
    pre-migration state before migrating.

    Everything else is done per schema as the command does it: the schema's own history
    (a fresh MigrationLoader: pre_migrate handlers edit the loaded migrations, so they are
    not shared), the consistency and conflict checks, the leaf targets, the pre_migrate
    and post_migrate signals (content types and permissions of a new model, Wagtail's
    reference-index handlers), django-tenants' schema signals, and its router
    (TenantSyncRouter), which lets only the tenant apps' operations touch the schema.
    Two things repeated there without need are done once: the history table is found by
    name, not in a list of the whole catalog (tenants.migrate_command), and the signals'
    content types and permissions are checked in one query, Wagtail's handlers called once
    (tenants.migration_signals): ~15 queries a schema for an AddField instead of ~190.
    """

    def __init__(self):
        self.states_before = {}  # applied migrations → rendered ProjectState
        self.apps_after = {}  # applied migrations → rendered StateApps for post_migrate

    def migrate(self, schema: str) -> None:
        schema_pre_migration.send(run_migrations, schema_name=schema)
        with history_table_looked_up_by_name():
            self._migrate(schema)
        schema_migrated.send(run_migrations, schema_name=schema)

    def _migrate(self, schema: str) -> None:
        # Wagtail's handlers need the models loaded; tenants.models imports this module.
        from .migration_signals import send_post_migrate, send_pre_migrate

        # As django-tenants does: the history table is made in the schema itself, not found
        # in public through the search path.
        connection.set_schema(schema, include_public=False)
        MigrationRecorder(connection).ensure_schema()
        connection.set_schema(schema)
        connection.prepare_database()
        # Migrations the router keeps out of this schema are recorded without re-rendering
        # the models (tenants.migrate_command), as the command path does.
        executor = SchemaMigrationExecutor(connection)
        loader = executor.loader
        loader.check_consistent_history(connection)
        if conflicts := loader.detect_conflicts():
            raise CommandError(f"Conflicting migrations detected: {conflicts}")
        targets = loader.graph.leaf_nodes()
        plan = executor.migration_plan(targets)
        applied = frozenset(key for key in loader.applied_migrations if key in loader.graph.nodes)
        state = self._state_before(executor, applied).clone()
        send_pre_migrate(state.apps, plan)
        state = executor.migrate(targets, plan=plan, state=state)
        after = applied | {(migration.app_label, migration.name) for migration, _ in plan}
        apps_after = self._apps_after(state, after)
        # The content-type caches are per process, not per schema: handlers read this one's.
        ContentType.objects.clear_cache()
        apps_after.get_model("contenttypes", "ContentType").objects.clear_cache()
        send_post_migrate(apps_after, plan)
        connection.set_schema_to_public()

    def _state_before(self, executor, applied):
        if applied not in self.states_before:
            state = executor._create_project_state(with_applied_migrations=True)
            state.apps  # noqa: B018 (render once: the costly part)
            self.states_before[applied] = state
        return self.states_before[applied]

    def _apps_after(self, state, applied):
        """The post-migration models as `migrate` hands them to post_migrate handlers:
        re-rendered from the real models so their relations are complete."""
        if applied not in self.apps_after:
            state.clear_delayed_apps_cache()
            apps_after = state.apps
            with apps_after.bulk_update():
                keys = []
                for model_state in apps_after.real_models:
                    keys.append((model_state.app_label, model_state.name_lower))
                    apps_after.unregister_model(*keys[-1])
            apps_after.render_multiple([ModelState.from_model(apps.get_model(*k)) for k in keys])
            self.apps_after[applied] = apps_after
        return self.apps_after[applied]
