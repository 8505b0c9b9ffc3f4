"""Rebuild the search index from the library, without taking search offline."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from federation.search.backends import get_backend
from tenants.services import ProvisioningError, get_site


class ProgressBar:
    """`[#######-------------]  35%  3500/10000  12 s` on one line, redrawn in place."""

    def __init__(self, stream, width=30):
        self.stream, self.width, self.started = stream, width, time.monotonic()
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.last = -1

    def __call__(self, done, total):
        pct = int(done * 100 / total) if total else 100
        if pct == self.last and done != total:
            return
        self.last = pct
        filled = self.width * pct // 100
        line = (
            f"[{'#' * filled}{'-' * (self.width - filled)}] {pct:3d}%  {done}/{total}  "
            f"{time.monotonic() - self.started:.0f} s"
        )
        self.stream.write(("\r" if self.tty else "") + line + ("" if self.tty else "\n"))
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Rebuild the cross-site search index from the resource library: everything (a new "
        "table or index, then an atomic switch) or one site (--site)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--site", metavar="SCHEMA", help="only this site's items")

    def handle(self, *args, site=None, **options):
        website = None
        if site:
            try:
                website = get_site(site)
            except ProvisioningError as exc:
                raise CommandError(str(exc)) from exc
        backend = get_backend()
        what = f"site {site}" if site else "all sites"
        self.stdout.write(f"reindexing {what} into the {backend.name} backend")
        bar = ProgressBar(self.stdout._out if hasattr(self.stdout, "_out") else sys.stdout)
        done = backend.rebuild(site=website, progress=bar)
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(f"indexed {done} items ({what}); search now reads the new index")
        )
