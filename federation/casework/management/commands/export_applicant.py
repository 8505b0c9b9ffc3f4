"""Everything kept about one applicant (id number, phone, email or name), as JSON."""

import json

from django.core.management.base import BaseCommand

from security.audit.context import acting_as
from security.audit.services import record

from ...privacy import export_applicant


class Command(BaseCommand):
    help = "导出某一申请人（身份证号、电话、邮箱或姓名）在全部办件中的个人信息（JSON）。"

    def add_arguments(self, parser):
        parser.add_argument("identifier")

    def handle(self, identifier, **options):
        data = export_applicant(identifier)
        with acting_as("cli:export_applicant"):
            record(
                "case.export",
                schema_name="public",
                object_type="casework.case",
                message=f"导出 {len(data['cases'])} 件办件的申请人信息",
            )
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
