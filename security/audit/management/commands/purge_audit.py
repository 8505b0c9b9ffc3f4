from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from security.audit import services
from security.audit.context import acting_as


class Command(BaseCommand):
    help = "Remove audit records older than --days (at least 184: six months, Cybersecurity Law)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.AUDIT_RETENTION_DAYS,
            help="remove records older than this many days (default and minimum: "
            "AUDIT_RETENTION_DAYS, never below 184)",
        )

    def handle(self, *args, **opts):
        try:
            with acting_as("cli:purge_audit"):
                removed = services.purge(opts["days"])
        except services.RetentionError as exc:
            raise CommandError(str(exc)) from None
        if not removed:
            self.stdout.write(f"Nothing older than {opts['days']} days.")
        for schema, count in removed.items():
            self.stdout.write(f"{schema}: removed {count} record(s); the chain keeps an anchor.")
