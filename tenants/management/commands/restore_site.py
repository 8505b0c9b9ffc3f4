import getpass

from django.core.management.base import BaseCommand, CommandError

from security.audit.context import acting_as
from tenants import backup


class Command(BaseCommand):
    help = (
        "Restore a site from a backup_site archive: as its own schema (after loss), or "
        "--as NEW_SCHEMA beside the live site (starts suspended, for inspection)."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--as", dest="as_schema", help="restore under this schema name")
        parser.add_argument(
            "--domain", help="domain for the restored site (needed with --as to visit it)"
        )

    def handle(self, *args, **opts):
        try:
            with acting_as(f"cli:{getpass.getuser()}"):
                website = backup.restore_site(opts["archive"], opts["as_schema"], opts["domain"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {website.legal_name} as {website.schema_name} ({website.get_status_display()})."
            )
        )
