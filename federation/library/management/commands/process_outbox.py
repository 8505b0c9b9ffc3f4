"""Process waiting outbox rows now, once or in a loop (the sweep without Celery beat)."""

import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from federation.library import services
from federation.library.models import OutboxEvent


class Command(BaseCommand):
    help = "Re-send (or, with no broker, process) outbox rows that were never processed."

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=float, metavar="SECONDS", default=0,
                            help="keep sweeping every SECONDS (Ctrl-C stops); default: once")
        parser.add_argument("--grace", type=float, default=services.SWEEP_GRACE.total_seconds(),
                            help="leave rows younger than this many seconds to their first task")
        parser.add_argument("--resync-site", metavar="SCHEMA",
                            help="first record a resync event for every page of this site")

    def handle(self, *args, loop, grace, resync_site, **options):
        if resync_site:
            from tenants.services import ProvisioningError, get_site

            try:
                website = get_site(resync_site)
            except ProvisioningError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"resync: {services.resync_site(website)} pages of {resync_site}")
        while True:
            handed_on = services.sweep_outbox(older_than=timedelta(seconds=grace))
            waiting = OutboxEvent.objects.filter(processed_at__isnull=True).count()
            self.stdout.write(f"outbox: {handed_on} rows handed on, {waiting} still waiting")
            if not loop:
                return
            time.sleep(loop)
