"""Recompute scorecards from stored data: every site (or some) for a day (today by default)."""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError

from federation.monitoring import indicators, scorecards


class Command(BaseCommand):
    help = "Compute (or recompute) the scorecards of every site, or of the named sites."

    def add_arguments(self, parser):
        parser.add_argument("schemas", nargs="*", help="site schema names (default: every site)")
        parser.add_argument("--day", help="YYYY-MM-DD (default: today)")

    def handle(self, *args, **options):
        try:
            day = datetime.date.fromisoformat(options["day"]) if options["day"] else None
        except ValueError as exc:
            raise CommandError(f"--day must be YYYY-MM-DD: {exc}") from exc
        sites = scorecards.evaluated_sites()
        if options["schemas"]:
            sites = sites.filter(schema_name__in=options["schemas"])
            missing = set(options["schemas"]) - set(sites.values_list("schema_name", flat=True))
            if missing:
                raise CommandError(f"no such site: {', '.join(sorted(missing))}")
        values = indicators.current_values()
        started = time.perf_counter()
        for website in sites:
            card = scorecards.compute_scorecard(website, day, values)
            self.stdout.write(f"{website.schema_name}: {card.score} {card.verdict}")
        self.stdout.write(f"{sites.count()} scorecards in {time.perf_counter() - started:.1f} s")
