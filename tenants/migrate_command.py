"""Django's `migrate`, as django-tenants runs it in each schema, without rendering models for
the migrations that have nothing to do in that schema (TENANT_BASE_MIGRATE_COMMAND).

Every schema runs the whole migration plan: the public schema records the ~200 Wagtail and
site-app migrations it holds no table of, and each site schema the shared apps' ones. Django
still moves its rendered model classes along for each of them, and re-rendering a model
re-renders its related ones (with Wagtail's Page, every page type): the public schema's
migrate on a fresh database took 30.2 s of CPU, 9.6 s without that (load 9).

Here a migration whose app the tenant router keeps out of the schema only advances the project
state (model descriptions, no classes) and is recorded as applied, as Django would record it
after its operations did nothing. The models are rendered again, once, before the next
migration that does work. Django's operations check the router before touching the database
(and the two custom operations in our dependencies, Wagtail's, are a RunPython and a
DeleteModel subclass that do too), so the schemas come out the same, table for table.

Django asks whether a schema has its history table by listing every table on the search path
(django-tenants narrows the path to the schema for it). That query calls pg_table_is_visible
on every row of `pg_class`, which has no index on the namespace alone: it reads the whole
catalog, ~800,000 rows at 1,000 sites, and `migrate` asks four times a schema (the loader, the
consistency check, the recorder, the command). `history_table_looked_up_by_name` answers the
same question with one row read through pg_class's (relname, relnamespace) index.
"""

from contextlib import contextmanager

from django.core.management.commands import migrate
from django.db import router
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

# The namespace's oid first, so that both columns of the index are used: joined by name, the
# planner reads every schema's django_migrations (one row a site) and filters them.
_HISTORY_TABLE = (
    "SELECT EXISTS (SELECT FROM pg_class WHERE relname = %s "
    "AND relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %s) "
    "AND relkind IN ('f', 'm', 'p', 'r', 'v'))"
)


def _has_table_by_name(recorder) -> bool:
    """MigrationRecorder.has_table: the history table in the connection's own schema, the
    relation kinds Django's table list holds; remembered once found, as Django does."""
    if not recorder._has_table:
        with recorder.connection.cursor() as cursor:
            cursor.execute(
                _HISTORY_TABLE,
                [recorder.Migration._meta.db_table, recorder.connection.schema_name],
            )
            recorder._has_table = cursor.fetchone()[0]
    return recorder._has_table


@contextmanager
def history_table_looked_up_by_name():
    """While migrating: Django makes its recorders deep in the loader and the executor, so
    the method is swapped on the class (one migration at a time runs in a process)."""
    original = MigrationRecorder.has_table
    MigrationRecorder.has_table = _has_table_by_name
    try:
        yield
    finally:
        MigrationRecorder.has_table = original


class SchemaMigrationExecutor(MigrationExecutor):
    def _migrate_all_forwards(self, state, plan, full_plan, fake, fake_initial):
        # Django's loop, except that the models are rendered only before a migration that
        # works in this schema (Django renders before each one that finds them unrendered).
        migrations_to_run = {m[0] for m in plan}
        for migration, _ in full_plan:
            if not migrations_to_run:
                break
            if migration not in migrations_to_run:
                continue
            if fake or router.allow_migrate(self.connection.alias, migration.app_label):
                if "apps" not in state.__dict__:
                    if self.progress_callback:
                        self.progress_callback("render_start")
                    state.apps  # noqa: B018 (renders them)
                    if self.progress_callback:
                        self.progress_callback("render_success")
                state = self.apply_migration(state, migration, fake=fake, fake_initial=fake_initial)
            else:
                state = self.record_without_work(state, migration)
            migrations_to_run.remove(migration)
        return state

    def record_without_work(self, state, migration):
        """A migration the router keeps out of this schema: its operations would do nothing
        here, so only the project state moves on, and the migration is recorded as applied."""
        if self.progress_callback:
            self.progress_callback("apply_start", migration, False)
        # Without rendered models, state_forwards only edits the model descriptions.
        state.__dict__.pop("apps", None)
        state = migration.mutate_state(state, preserve=False)
        self.record_migration(migration)
        if self.progress_callback:
            self.progress_callback("apply_success", migration, False)
        return state


class Command(migrate.Command):
    def handle(self, *args, **options):
        # Django's command builds its executor from this module-level name; nothing else is
        # migrating in the process meanwhile.
        migrate.MigrationExecutor = SchemaMigrationExecutor
        try:
            with history_table_looked_up_by_name():
                return super().handle(*args, **options)
        finally:
            migrate.MigrationExecutor = MigrationExecutor
