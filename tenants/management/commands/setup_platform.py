import os
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from tenants import services


class Command(BaseCommand):
    help = "Migrate the shared schema and every site, and make the console host and site template."

    def handle(self, *args, **opts):
        started = time.perf_counter()
        self.stdout.write("Migrating the shared (public) schema…")
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        services.ensure_platform()
        self.stdout.write("Preparing the site template (made once, about 10 s)…")
        services.ensure_template()
        self.stdout.write("Migrating every site schema…")
        call_command("migrate_schemas", tenant=True, interactive=False, verbosity=0)
        # Roles are data, not schema: sites made before a role changed get it completed here.
        with open(os.devnull, "w") as quiet:
            call_command("ensure_site_roles", stdout=quiet)
        self.stdout.write(
            self.style.SUCCESS(f"Platform ready in {time.perf_counter() - started:.1f} s.")
        )
