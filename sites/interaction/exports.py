"""Survey exports: CSV streams inside the request; XLSX of a big survey is built by a task.

openpyxl keeps a workbook's shared strings in memory and writes the whole file at the end, so
an export of 100,000 responses takes tens of seconds — longer than a request should hold a
worker (and a proxy's timeout). Up to SURVEY_XLSX_INLINE_MAX responses it is built inline as
before; above that `request_xlsx` records a `SurveyExport` and sends the task (in-process
right after commit when no broker is configured, config.tasks.enqueue). The file lands in
the site's own folder under INTERACTION_EXPORTS_ROOT/<schema>/, outside MEDIA_ROOT: it is
served only by the admin view that finds its row in this site's schema.
"""

import contextlib
import datetime
import logging
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from config.tasks import enqueue

from . import services
from .models import SurveyExport, SurveyResponse

log = logging.getLogger("jiyue.interaction")

# A preparing export older than this lost its task (a worker killed, a broker down): the
# editor may start another.
STALE_AFTER = datetime.timedelta(minutes=30)
# Files kept per survey: older ready exports are removed when a new one is ready.
KEEP_PER_SURVEY = 3


def safe_cell(value):
    """A cell a spreadsheet will not run as a formula (CSV/XLSX injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def write_xlsx(page, handle) -> None:
    from openpyxl import Workbook  # ~0.3 s to import: only when someone exports

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("答卷")
    for row in services.export_rows(page):
        sheet.append([safe_cell(c) for c in row])
    summary_sheet = workbook.create_sheet("汇总")
    data = services.summary(page)
    summary_sheet.append(["答卷总数", data["total"]])
    for item in data["questions"]:
        summary_sheet.append([item["question"].text])
        for option in item["options"]:
            summary_sheet.append(["", option["label"], option["count"], option["share"]])
        if item["kind"] == "text":
            summary_sheet.append(["", "文字意见", item["comments"]])
    workbook.save(handle)


def builds_inline(page) -> bool:
    return SurveyResponse.objects.filter(page=page).count() <= settings.SURVEY_XLSX_INLINE_MAX


def site_root() -> Path:
    """This site's export folder: the schema in the path, so no site reaches another's."""
    schema = connection.schema_name
    if not schema or schema == "public":
        raise RuntimeError("Survey exports belong to a site: run inside its schema.")
    return Path(settings.INTERACTION_EXPORTS_ROOT) / schema / "surveys"


def path_of(export: SurveyExport) -> Path:
    root = site_root().resolve()
    path = (root / export.path).resolve()
    if not export.path or root not in path.parents:
        raise FileNotFoundError(export.path)
    return path


def request_xlsx(page, user) -> SurveyExport:
    """The export the editor waits for: one already preparing, or a new one with its task."""
    # The task module imports this one (it calls build): imported here to avoid the cycle.
    from .tasks import build_survey_export

    fresh = timezone.now() - STALE_AFTER
    pending = page.exports.filter(
        status=SurveyExport.Status.PREPARING, created_at__gte=fresh
    ).first()
    if pending is not None:
        return pending
    export = SurveyExport.objects.create(
        page=page,
        requested_by=user.get_username() if user is not None else "",
        responses=SurveyResponse.objects.filter(page=page).count(),
    )
    enqueue(build_survey_export, export.pk, schema=connection.schema_name, recoverable=True)
    return export


def build(export_id: int) -> SurveyExport | None:
    """Write the workbook (a temporary name first, so a half-written file is never served)."""
    export = SurveyExport.objects.select_related("page").filter(pk=export_id).first()
    if export is None or export.status != SurveyExport.Status.PREPARING:
        return export  # gone, or built already (a task delivered twice)
    root = site_root()
    root.mkdir(parents=True, exist_ok=True)
    name = f"survey-{export.page_id}-{export.pk}-{secrets.token_hex(8)}.xlsx"
    partial = root / f".{name}.part"
    try:
        with partial.open("wb") as handle:
            write_xlsx(export.page.specific, handle)
        os.replace(partial, root / name)
    except Exception as error:
        partial.unlink(missing_ok=True)
        log.exception("survey export %s failed", export.pk)
        export.status, export.error = SurveyExport.Status.FAILED, str(error)[:300]
        export.finished_at = timezone.now()
        export.save(update_fields=["status", "error", "finished_at"])
        return export
    export.status, export.path = SurveyExport.Status.READY, name
    export.size = (root / name).stat().st_size
    export.finished_at = timezone.now()
    export.save(update_fields=["status", "path", "size", "finished_at"])
    _prune(export.page_id)
    return export


def _prune(page_id: int) -> None:
    ready = SurveyExport.objects.filter(page_id=page_id, status=SurveyExport.Status.READY)
    for old in ready[KEEP_PER_SURVEY:]:
        with contextlib.suppress(FileNotFoundError):  # a path that left the site's folder
            path_of(old).unlink(missing_ok=True)
        old.delete()
