"""Run every periodic job now, in this process: what Celery beat would send.

The operators' one command for what the periodic sweeps repair: library events whose task
was lost, library consumer steps left pending (search, syndication), syndicated deliveries
never made, scheduled pages due, broadcast starts and ends. Use it where no beat runs, or to
catch up at once after an outage; `--loop 30` keeps doing it. With a broker the sweeps hand
their rows to the workers; without one they do the work here.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from config import periodic


class Command(BaseCommand):
    help = "Run every periodic job (the sweeps, scheduled publishing…) once now, or in a loop."

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop",
            type=float,
            metavar="SECONDS",
            default=0,
            help="run them again every SECONDS (Ctrl-C stops); default: once",
        )
        parser.add_argument(
            "--only",
            action="append",
            metavar="ENTRY",
            default=[],
            help="only this entry of CELERY_BEAT_SCHEDULE (repeatable)",
        )

    def handle(self, *args, loop, only, **options):
        entries = periodic.due_entries()
        unknown = sorted(set(only) - set(entries))
        if unknown:
            raise CommandError(
                f"unknown periodic entries {unknown}; known: {', '.join(sorted(entries))}"
            )
        chosen = {name: entries[name] for name in only} if only else entries
        while True:
            for name, (entry, _every) in chosen.items():
                started = time.monotonic()
                try:
                    ran = periodic.run_entry(name, entry)
                except Exception as exc:
                    self.stderr.write(
                        f"{name}: failed ({type(exc).__name__}: {exc}); the log has details"
                    )
                    continue
                took = time.monotonic() - started
                self.stdout.write(
                    f"{name}: {'done' if ran else 'skipped (running in another process)'}"
                    f" in {took:.1f} s"
                )
            if not loop:
                return
            time.sleep(loop)
