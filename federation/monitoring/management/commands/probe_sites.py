"""One probe round over every active site now (what the periodic job does)."""

import time

from django.core.management.base import BaseCommand

from federation.monitoring import probes


class Command(BaseCommand):
    help = "Probe every active site's home page and entry points once, now."

    def handle(self, *args, **options):
        started = time.perf_counter()
        rows = probes.probe_round()
        failed = [r for r in rows if not r.ok and not r.absent]
        for row in failed:
            self.stdout.write(f"FAILED site {row.website_id} {row.path}: {row.error}")
        self.stdout.write(
            f"{len(rows)} probes, {len(failed)} failed, in {time.perf_counter() - started:.1f} s"
        )
