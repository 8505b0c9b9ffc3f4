"""manage.py screening_scan [--site SCHEMA …] [--csv FILE]: every published item of each site
checked against the 错敏词 dictionaries; a report per site."""

import csv

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import get_tenant_model

from security.screening.scan import scan_site


class Command(BaseCommand):
    help = "错敏词全面检查：逐站检查已发布的信息，输出报告"

    def add_arguments(self, parser):
        parser.add_argument("--site", action="append", dest="sites", help="站点 schema（可多次）")
        parser.add_argument("--csv", dest="csv_path", help="把每一处检查结果写入此 CSV 文件")

    def handle(self, *args, sites=None, csv_path=None, **options):
        model = get_tenant_model()
        known = list(
            model.objects.exclude(schema_name="public").values_list("schema_name", flat=True)
        )
        known = [s for s in known if s != "site_template"]
        schemas = sites or known
        unknown = set(schemas) - set(known)
        if unknown:
            raise CommandError(f"没有这些站点：{'、'.join(sorted(unknown))}")
        rows = []
        for schema in schemas:
            report = scan_site(schema)
            self.stdout.write(
                f"{schema}: 检查 {report.pages_scanned} 条，发现 {report.findings_count} 处"
                f"（{', '.join(f'{k} {v}' for k, v in report.by_kind().items()) or '无'}），"
                f"未处理的严重问题 {report.open_serious_count} 处 / {report.pages_with_open_serious} 条，"
                f"用时 {report.seconds:.2f} 秒"
            )
            for page in report.pages:
                for finding in page.findings:
                    rows.append(
                        [
                            schema,
                            page.page_id,
                            page.title,
                            finding.field_label,
                            finding.text,
                            finding.kind_label,
                            finding.suggestion,
                            "严重" if finding.serious else "提示",
                            "未处理" if finding in page.open_serious else "",
                            f"{finding.before}【{finding.text}】{finding.after}",
                        ]
                    )
        if csv_path:
            _write(csv_path, rows)
            self.stdout.write(f"已写入 {len(rows)} 行：{csv_path}")


def _write(path, rows):
    with open(path, "w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow(
            ["站点", "页面", "标题", "位置", "原文", "类别", "建议", "严重程度", "状态", "上下文"]
        )
        writer.writerows(rows)
