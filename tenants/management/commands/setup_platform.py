import multiprocessing
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django_tenants.utils import schema_exists

from tenants import migrating, services, spares


class Command(BaseCommand):
    help = (
        "Migrate the shared schema, the site template and every site (the current ones are "
        "skipped, the others migrated in parallel), and make the console host."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--processes",
            type=int,
            help="site schemas migrated at once (default TENANT_MIGRATION_PROCESSES, else half "
            "the cores)",
        )

    def handle(self, *args, **opts):
        started = time.perf_counter()
        template_build = None
        if not schema_exists(settings.TENANT_BASE_SCHEMA):
            self.stdout.write("Making the site template alongside (once, on a fresh database)…")
            template_build = start_template_build()
        self.stdout.write("Migrating the shared (public) schema…")
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        services.ensure_platform()
        if template_build is not None:
            template_build.join()
            if template_build.exitcode != 0:
                # Its schema, if made, is behind: migrate_sites below completes it.
                self.stderr.write(
                    f"The site template's build failed (exit {template_build.exitcode}); "
                    "migrating it again below."
                )
        self.stdout.write("Preparing the site template…")
        services.ensure_template()
        self.stdout.write("Migrating the site template and every site schema…")
        run = migrating.migrate_sites(processes=opts["processes"], progress=self.stdout.write)
        if not run.ok:
            raise CommandError(failure_message(run))
        made = spares.replenish()
        if made["made"] or made["dropped"]:
            self.stdout.write(
                f"Spare schemas for new sites: {made['made']} made, {made['dropped']} stale "
                f"dropped ({made['seconds']:.1f} s)."
            )
        # Roles are data, not schema: sites made before a role changed get it completed here
        # (only those: each site records the role definitions it was last ensured with).
        call_command("ensure_site_roles", changed=True, stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(f"Platform ready in {time.perf_counter() - started:.1f} s.")
        )


def start_template_build() -> multiprocessing.Process:
    """Run the site template's migrations in a forked process while the caller migrates the
    public schema: on a fresh database they are two thirds of the setup, and none of them
    needs a public table (site apps depend on no shared-only app), so the two overlap on two
    cores. The template's registry row is written afterwards by services.ensure_template."""
    connection.close()  # the child opens its own; a connection is not shared across a fork
    build = multiprocessing.get_context("fork").Process(
        target=_build_template, name="site-template", daemon=True
    )
    build.start()
    return build


def _build_template() -> None:
    schema = settings.TENANT_BASE_SCHEMA
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{schema}"')
        call_command(
            "migrate_schemas", tenant=True, schema_name=schema, interactive=False, verbosity=0
        )
    finally:
        connection.close()


def failure_message(run) -> str:
    lines = [
        f"{len(run.failed)} of {run.total} site schemas failed to migrate: "
        f"{', '.join(sorted(run.failed))}."
    ]
    lines += [f"  {schema}: {error}" for schema, error in sorted(run.failed.items())]
    lines.append(
        f"The other {run.total - len(run.failed)} are migrated and serving. Fix the cause "
        "above in the named schemas, then run `manage.py setup_platform` again: it migrates "
        "only the schemas still behind."
    )
    return "\n".join(lines)
