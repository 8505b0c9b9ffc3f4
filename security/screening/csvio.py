"""CSV import and export of a dictionary (the current schema's): what operators and
webmasters keep in spreadsheets. UTF-8 (with or without BOM) or GB18030, as Excel saves it.

Terms: 类别,词语,正确写法,严重程度,说明,启用  — 类别 and 严重程度 by label or code.
Titles: 姓名,职务,单位,排序
An import is all or nothing: any bad row and nothing is written, each error with its line.
"""

import csv
import io

from django.db import transaction

from .models import DEFAULT_SEVERITY, Kind, OfficialTitle, ScreeningTerm, Severity
from .services import bump

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 200_000
TERM_HEADER = ["类别", "词语", "正确写法", "严重程度", "说明", "启用"]
TITLE_HEADER = ["姓名", "职务", "单位", "排序"]
_KINDS = {**{k.value: k.value for k in Kind}, **{k.label: k.value for k in Kind}}
_SEVERITIES = {
    **{s.value: s.value for s in Severity},
    **{s.label: s.value for s in Severity},
    "严重": Severity.SERIOUS,
}
_YES = {"", "是", "1", "true", "yes", "启用", "y"}
_NO = {"否", "0", "false", "no", "停用", "n"}


class DictionaryImportError(ValueError):
    """Raised with every problem found, line by line."""

    def __init__(self, errors):
        super().__init__("；".join(errors[:20]) + ("……" if len(errors) > 20 else ""))
        self.errors = errors


def _cell(value) -> str:
    # A cell starting with = + - @ is a formula to Excel: keep it text (CSV injection).
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def export_terms(out) -> int:
    writer = csv.writer(out)
    writer.writerow(TERM_HEADER)
    count = 0
    for term in ScreeningTerm.objects.order_by("kind", "term"):
        writer.writerow(
            [
                term.get_kind_display(),
                _cell(term.term),
                _cell(term.suggestion),
                "严重" if term.severity == Severity.SERIOUS else "提示",
                _cell(term.note),
                "是" if term.enabled else "否",
            ]
        )
        count += 1
    return count


def export_titles(out) -> int:
    writer = csv.writer(out)
    writer.writerow(TITLE_HEADER)
    count = 0
    for row in OfficialTitle.objects.all():
        writer.writerow(
            [_cell(row.person), _cell(row.title), _cell(row.organisation), row.sort_order]
        )
        count += 1
    return count


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise DictionaryImportError(
            [f"文件超过 {MAX_BYTES // 1024 // 1024} MB，请拆分后分批导入。"]
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DictionaryImportError(["无法识别文件编码，请另存为 UTF-8 或 GB18030 编码的 CSV 文件。"])


def _rows(data: bytes, header: list[str]):
    reader = csv.reader(io.StringIO(_decode(data)))
    first = next(reader, None)
    if first is None:
        raise DictionaryImportError(["文件是空的。"])
    if [cell.strip() for cell in first[: len(header)]][:2] != header[:2]:
        raise DictionaryImportError([f"第 1 行应为表头：{','.join(header)}。"])
    for number, row in enumerate(reader, start=2):
        if number > MAX_ROWS + 1:
            raise DictionaryImportError([f"超过 {MAX_ROWS} 行，请拆分后分批导入。"])
        if not any(cell.strip() for cell in row):
            continue
        yield number, [cell.strip() for cell in row] + [""] * (len(header) - len(row))


def _uncell(text: str) -> str:
    return text[1:] if text[:2] in ("'=", "'+", "'-", "'@") else text


def import_terms(data: bytes) -> dict:
    """Add or update terms by (类别, 词语). Returns {"created": n, "updated": n}."""
    errors, parsed = [], {}
    for number, row in _rows(data, TERM_HEADER):
        kind = _KINDS.get(row[0])
        term, suggestion = _uncell(row[1]), _uncell(row[2])
        severity = _SEVERITIES.get(row[3]) if row[3] else None
        if kind is None or kind == Kind.TITLE_MISMATCH:
            errors.append(f"第 {number} 行：类别“{row[0]}”应为 敏感词、易错词 或 错误的名称或称谓")
            continue
        if row[3] and severity is None:
            errors.append(f"第 {number} 行：严重程度“{row[3]}”应为 严重 或 提示")
            continue
        if not term or len(term) > 100:
            errors.append(f"第 {number} 行：词语须为 1–100 个字")
            continue
        if kind in (Kind.MISTAKE, Kind.OFFICIAL_NAME) and not suggestion:
            errors.append(f"第 {number} 行：“{term}”须填写正确写法")
            continue
        if len(suggestion) > 200 or suggestion == term:
            errors.append(f"第 {number} 行：“{term}”的正确写法有误（过长或与词语相同）")
            continue
        if row[5].lower() not in _YES | _NO:
            errors.append(f"第 {number} 行：启用应为 是 或 否")
            continue
        parsed[(kind, term)] = ScreeningTerm(
            kind=kind,
            term=term,
            suggestion=suggestion,
            severity=severity or DEFAULT_SEVERITY[kind],
            note=_uncell(row[4])[:200],
            enabled=row[5].lower() in _YES,
        )
    if errors:
        raise DictionaryImportError(errors)
    with transaction.atomic():
        existing = {
            (t.kind, t.term): t
            for t in ScreeningTerm.objects.filter(term__in=[term for _, term in parsed])
        }
        new, changed = [], []
        for key, term in parsed.items():
            if key in existing:
                term.pk = existing[key].pk
                changed.append(term)
            else:
                new.append(term)
        ScreeningTerm.objects.bulk_create(new, batch_size=2000)
        ScreeningTerm.objects.bulk_update(
            changed, ["suggestion", "severity", "note", "enabled"], batch_size=2000
        )
        bump()
    return {"created": len(new), "updated": len(changed)}


def import_titles(data: bytes) -> dict:
    errors, parsed = [], {}
    for number, row in _rows(data, TITLE_HEADER):
        person, title = _uncell(row[0]), _uncell(row[1])
        if not person or not title or len(person) > 50 or len(title) > 100:
            errors.append(f"第 {number} 行：须填写姓名（50 字以内）和职务（100 字以内）")
            continue
        try:
            order = int(row[3] or 0)
        except ValueError:
            errors.append(f"第 {number} 行：排序应为整数")
            continue
        parsed[(person, title)] = OfficialTitle(
            person=person, title=title, organisation=_uncell(row[2])[:100], sort_order=order
        )
    if errors:
        raise DictionaryImportError(errors)
    with transaction.atomic():
        existing = {
            (t.person, t.title): t
            for t in OfficialTitle.objects.filter(person__in=[p for p, _ in parsed])
        }
        new, changed = [], []
        for key, row in parsed.items():
            if key in existing:
                row.pk = existing[key].pk
                changed.append(row)
            else:
                new.append(row)
        OfficialTitle.objects.bulk_create(new)
        OfficialTitle.objects.bulk_update(changed, ["organisation", "sort_order"])
        bump()
    return {"created": len(new), "updated": len(changed)}
