import getpass

from django.core.management.base import BaseCommand, CommandError

from security.audit.context import acting_as
from tenants import services


class Command(BaseCommand):
    help = "Put sites into read-only mode (pages served, every write refused): defacement response."

    def add_arguments(self, parser):
        parser.add_argument("schemas", nargs="*", help="sites' schema names")
        parser.add_argument("--all", action="store_true", help="every site on the platform")
        parser.add_argument("--reason", default="", help="why (shown to operators, recorded)")

    def handle(self, *args, **opts):
        if not opts["schemas"] and not opts["all"]:
            raise CommandError("Name the sites (schema names) or pass --all.")
        try:
            sites = services.chosen_sites(opts["schemas"], opts["all"])
        except services.ProvisioningError as exc:
            raise CommandError(str(exc)) from None
        with acting_as(f"cli:{getpass.getuser()}"):
            for site in sites:
                changed = services.freeze(site, opts["reason"])
                state = "now read-only" if changed else "already read-only"
                self.stdout.write(f"{site.schema_name}: {state} ({site.legal_name})")
