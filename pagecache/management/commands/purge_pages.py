from django.core.management.base import BaseCommand, CommandError

from pagecache.services import purge_site
from tenants import services


class Command(BaseCommand):
    help = (
        "Empty the page cache of every site (after a deploy that changed templates or code), "
        "or of the sites named."
    )

    def add_arguments(self, parser):
        parser.add_argument("schemas", nargs="*", help="schema names; none = every site")

    def handle(self, *args, schemas, **opts):
        known = set(services.sites().values_list("schema_name", flat=True))
        unknown = sorted(set(schemas) - known)
        if unknown:
            raise CommandError(f"no such site: {', '.join(unknown)}")
        targets = sorted(schemas or known)
        for schema in targets:
            purge_site(schema)
        self.stdout.write(f"page cache emptied for {len(targets)} site(s)")
