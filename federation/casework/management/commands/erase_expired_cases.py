"""Erase the applicant's data of cases closed longer ago than their kind's retention."""

from django.core.management.base import BaseCommand

from security.audit.context import acting_as

from ...privacy import erase_expired, expired


class Command(BaseCommand):
    help = "删除保存期满的办件中的申请人个人信息和材料（办件编号、步骤和统计数据保留）。"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只列出，不删除")

    def handle(self, *args, dry_run=False, **options):
        if dry_run:
            for case in expired():
                self.stdout.write(f"{case.number}  保存至 {case.retention_until}")
            return
        with acting_as("cli:erase_expired_cases"):
            count = erase_expired()
        self.stdout.write(f"已删除 {count} 件办件的个人信息。")
