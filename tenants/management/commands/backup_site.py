import getpass

from django.core.management.base import BaseCommand, CommandError

from security.audit.context import acting_as
from tenants import backup
from tenants.services import ProvisioningError


class Command(BaseCommand):
    help = "Write one archive with a site's schema, its public-schema rows and its media."

    def add_arguments(self, parser):
        parser.add_argument("schema", help="the site's schema name (see list_sites)")
        parser.add_argument(
            "--out", help="directory for the archive (default: BACKUP_DIR, var/backups)"
        )

    def handle(self, *args, **opts):
        try:
            with acting_as(f"cli:{getpass.getuser()}"):
                archive = backup.backup_site(opts["schema"], opts["out"])
        except (ProvisioningError, backup.BackupError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"{archive}"))
