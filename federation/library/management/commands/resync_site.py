"""Re-project every page of a site into the library (after a bulk change made without
Wagtail's publishing, or to repair a site's items), then let its consumers follow."""

from django.core.management.base import BaseCommand, CommandError

from federation.library import services
from tenants.services import ProvisioningError, get_site


class Command(BaseCommand):
    help = "Record a resync event for every page of a site; its task (or `sweep`) projects them."

    def add_arguments(self, parser):
        parser.add_argument("schema", help="the site's schema name (see list_sites)")

    def handle(self, *args, schema, **options):
        try:
            website = get_site(schema)
        except ProvisioningError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"resync: {services.resync_site(website)} pages of {schema} recorded")
