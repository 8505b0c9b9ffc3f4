import getpass

from django.core.management.base import BaseCommand, CommandError

from security.audit.context import acting_as
from tenants import services


class Command(BaseCommand):
    help = "End read-only mode on sites frozen by freeze_site."

    def add_arguments(self, parser):
        parser.add_argument("schemas", nargs="*", help="sites' schema names")
        parser.add_argument("--all", action="store_true", help="every site on the platform")

    def handle(self, *args, **opts):
        if not opts["schemas"] and not opts["all"]:
            raise CommandError("Name the sites (schema names) or pass --all.")
        try:
            sites = services.chosen_sites(opts["schemas"], opts["all"])
        except services.ProvisioningError as exc:
            raise CommandError(str(exc)) from None
        with acting_as(f"cli:{getpass.getuser()}"):
            for site in sites:
                changed = services.unfreeze(site)
                self.stdout.write(
                    f"{site.schema_name}: {'writable again' if changed else 'was not frozen'}"
                )
