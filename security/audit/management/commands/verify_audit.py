from django.core.management.base import BaseCommand, CommandError

from security.audit import services


class Command(BaseCommand):
    help = "Check every site's audit chain: altered, inserted or removed records are reported."

    def add_arguments(self, parser):
        parser.add_argument("schemas", nargs="*", help="only these sites' chains (default: all)")

    def handle(self, *args, **opts):
        reports = services.verify_all(opts["schemas"] or None)
        broken = 0
        for report in reports:
            if report.ok:
                self.stdout.write(
                    f"OK      {report.schema_name:<20} {report.count:>7} records, "
                    f"seq {report.first_seq}–{report.last_seq}, head {report.head[:16]}"
                )
                continue
            broken += 1
            self.stdout.write(
                self.style.ERROR(f"BROKEN  {report.schema_name:<20} {report.count:>7} records")
            )
            for seq, problem in report.problems[:50]:
                self.stdout.write(self.style.ERROR(f"        seq {seq}: {problem}"))
        if not reports:
            self.stdout.write("No audit records yet.")
        if broken:
            raise CommandError(
                f"Audit trail tampering detected in {broken} chain(s). "
                "Preserve the database as evidence; see docs/operations/emergency.md."
            )
        self.stdout.write(self.style.SUCCESS(f"{len(reports)} chain(s) verified."))
