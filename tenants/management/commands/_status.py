from django.core.management.base import BaseCommand, CommandError

from tenants import services


class StatusCommand(BaseCommand):
    """Base for suspend_site / archive_site / activate_site."""

    status = ""

    def add_arguments(self, parser):
        parser.add_argument("schema", help="the site's schema name (see list_sites)")
        parser.add_argument("--reason", default="", help="why (kept on the registry entry)")

    def handle(self, *args, **opts):
        try:
            site = services.set_status(
                services.get_site(opts["schema"]), self.status, reason=opts["reason"]
            )
        except services.ProvisioningError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(f"{site.legal_name} ({site.schema_name}) is now {site.status}.")
        )
