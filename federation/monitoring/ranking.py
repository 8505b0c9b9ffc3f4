"""The municipal office's view (O4): every site ranked by its latest scorecard, with trends,
and the ranking and annual report as CSV/XLSX (openpyxl)."""

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from . import charts
from .models import Finding, Scorecard
from .scorecards import evaluated_sites

TREND_DAYS = 30
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Ranked:
    website: object
    card: Scorecard | None
    rank: int = 0
    vetoes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    trend: str = ""


def trend(website, days=TREND_DAYS, **svg):
    since = timezone.localdate() - datetime.timedelta(days=days)
    cards = (
        Scorecard.objects.filter(website=website, day__gte=since)
        .order_by("day")
        .values_list("day", "score", "veto_count")
    )
    return charts.trend_svg([(d, s, v > 0) for d, s, v in cards], **svg)


def ranking() -> list[Ranked]:
    """Sites with a card, passing ones first by score, then vetoed ones by score; then sites
    without a card yet."""
    sites = list(evaluated_sites())
    latest = {}
    for card in (
        Scorecard.objects.filter(website__in=sites)
        .order_by("website_id", "-day")
        .distinct("website_id")
    ):
        latest[card.website_id] = card
    findings = {}
    for f in Finding.objects.filter(
        scorecard__in=latest.values(),
        severity__in=[Finding.Severity.VETO, Finding.Severity.WARNING],
    ).values("scorecard_id", "severity", "title"):
        findings.setdefault((f["scorecard_id"], f["severity"]), []).append(f["title"])
    since = timezone.localdate() - datetime.timedelta(days=TREND_DAYS)
    history = {}
    for website_id, day, score, vetoes in (
        Scorecard.objects.filter(website__in=sites, day__gte=since)
        .order_by("day")
        .values_list("website_id", "day", "score", "veto_count")
    ):
        history.setdefault(website_id, []).append((day, score, vetoes > 0))
    rows = []
    for website in sites:
        card = latest.get(website.pk)
        row = Ranked(website, card)
        if card:
            row.vetoes = findings.get((card.pk, Finding.Severity.VETO), [])
            row.warnings = findings.get((card.pk, Finding.Severity.WARNING), [])
        row.trend = charts.trend_svg(history.get(website.pk, []), width=140, height=32)
        rows.append(row)
    rows.sort(
        key=lambda r: (
            r.card is None,
            bool(r.card and r.card.veto_count),
            -(r.card.score if r.card else 0),
        )
    )
    for n, row in enumerate(rows, 1):
        row.rank = n
    return rows


HEADER = ["排名", "网站", "类型", "得分", "结论", "单项否决项", "预警", "评估日期"]


def table(rows) -> list[list]:
    return [
        [
            r.rank,
            r.website.legal_name,
            r.website.get_kind_display(),
            float(r.card.score) if r.card else "",
            r.card.verdict if r.card else "未评估",
            "；".join(r.vetoes),
            "；".join(r.warnings),
            f"{r.card.day:%Y-%m-%d}" if r.card else "",
        ]
        for r in rows
    ]


def csv_response(rows, filename) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 CSV correctly only with a BOM
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for line in table(rows):
        # a cell starting with = + - @ would be a formula in a spreadsheet: quote it as text
        writer.writerow([f"'{c}" if isinstance(c, str) and c[:1] in "=+-@" else c for c in line])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(workbook, filename) -> HttpResponse:
    data = io.BytesIO()
    workbook.save(data)
    response = HttpResponse(data.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def ranking_workbook(rows) -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = "网站绩效评估排名"
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for line in table(rows):
        sheet.append(line)
    for column, width in zip("ABCDEFGH", (6, 30, 14, 8, 10, 50, 50, 12), strict=True):
        sheet.column_dimensions[column].width = width
    return book


def report_workbook(website, year, rows) -> Workbook:
    """The annual report in the regulator's layout: 类别 | 指标 | 数值 | 单位, sections merged."""
    book = Workbook()
    sheet = book.active
    sheet.title = f"{year}年度报表"
    sheet.append([f"{website.legal_name}政府网站工作年度报表（{year}年度）"])
    sheet.merge_cells("A1:D1")
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(["类别", "指标", "数值", "单位"])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    start, current = 3, None
    for n, row in enumerate(rows, 3):
        sheet.append([row.section, row.label, row.value, row.unit])
        if row.section != current:
            if current is not None and n - 1 > start:
                sheet.merge_cells(start_row=start, start_column=1, end_row=n - 1, end_column=1)
            start, current = n, row.section
    last = 2 + len(rows)
    if last > start:
        sheet.merge_cells(start_row=start, start_column=1, end_row=last, end_column=1)
    for column, width in zip("ABCD", (14, 36, 40, 8), strict=True):
        sheet.column_dimensions[column].width = width
    for line in sheet.iter_rows(min_row=3):
        line[0].alignment = Alignment(vertical="center")
    return book
