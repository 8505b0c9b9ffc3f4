"""Check the links of every active site (or the named ones) now."""

from django.core.management.base import BaseCommand

from federation.monitoring import linkcheck, probes


class Command(BaseCommand):
    help = "Check the links on every active site's pages, or on the named sites' pages."

    def add_arguments(self, parser):
        parser.add_argument("schemas", nargs="*")

    def handle(self, *args, **options):
        sites = probes.probed_sites()
        if options["schemas"]:
            sites = sites.filter(schema_name__in=options["schemas"])
        for website in sites:
            run = linkcheck.check_site(website)
            self.stdout.write(
                f"{website.schema_name}: {run.pages} pages, {run.links} links, "
                f"{run.broken} broken, {run.skipped} not checked"
            )
