"""Site admin views: the findings panel of an item, overriding a finding, and a
dictionary's CSV import and export."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from wagtail.models import Page

from security.audit.services import record

from . import csvio, guard, services
from .content import page_fields
from .models import ScreeningOverride
from .permissions import can_override

MIN_REASON = 4


def _latest(page_id):
    page = get_object_or_404(Page, pk=page_id).specific
    return page, page.get_latest_revision_as_object()


def findings_context(request, page, version):
    fields = page_fields(version)
    texts = {key: text for key, _, text in fields}
    findings = services.check_fields(fields)
    done = guard.overrides(page.pk)
    rows = [
        {
            "finding": f,
            "override": done.get(f.fingerprint),
            # which occurrence of these words in the field: the editor's script finds it there
            "occurrence": texts[f.field][: f.start].count(f.text),
        }
        for f in findings
    ]
    return {
        "page": page,
        "rows": rows,
        "serious_open": sum(1 for r in rows if r["finding"].serious and not r["override"]),
        "can_override": can_override(request.user, page),
        "is_item": guard.is_item(page),
    }


def panel(request, page_id):
    """The findings of the item's latest version (an HTML fragment the editor's script puts
    above the form; opened alone, a page of its own)."""
    page, version = _latest(page_id)
    if not (page.permissions_for_user(request.user).can_edit() or can_override(request.user, page)):
        raise PermissionDenied
    context = findings_context(request, page, version)
    template = "screening/panel.html" if request.GET.get("fragment") else "screening/page.html"
    return render(request, template, context)


@require_POST
def override(request, page_id):
    page, version = _latest(page_id)
    if not can_override(request.user, page):
        raise PermissionDenied
    fingerprint = request.POST.get("fingerprint", "")
    reason = request.POST.get("reason", "").strip()
    back = redirect("wagtailadmin_pages:edit", page.pk)
    finding = next((f for f in guard.check_page(version) if f.fingerprint == fingerprint), None)
    if finding is None:
        messages.error(request, "该条检查结果已不存在（内容可能已修改），请刷新后再试。")
        return back
    if len(reason) < MIN_REASON:
        messages.error(request, f"放行“{finding.text}”须填写理由（至少 {MIN_REASON} 个字）。")
        return back
    try:
        with transaction.atomic():
            ScreeningOverride.objects.create(
                page_id=page.pk,
                fingerprint=fingerprint,
                field=finding.field_label[:100],
                kind=finding.kind,
                text=finding.text[:200],
                reason=reason[:2000],
                user=request.user,
            )
            record(
                "screening.override",
                object_type="wagtailcore.page",
                object_id=page.pk,
                object_repr=page.title,
                changes={
                    "位置": finding.field_label,
                    "原文": finding.text,
                    "类别": finding.kind_label,
                    "建议": finding.suggestion,
                    "理由": reason,
                },
                message=f"放行错敏词“{finding.text}”：{reason}",
                request=request,
            )
    except IntegrityError:
        messages.info(request, f"“{finding.text}”已放行过。")
        return back
    messages.success(
        request, f"已放行“{finding.text}”（{finding.field_label}），理由已记入审计日志。"
    )
    return back


@permission_required("screening.view_screeningterm", raise_exception=True)
def transfer(request):
    """Import and export of the site's dictionary (terms, and the person↔title table)."""
    if request.method == "POST":
        if not request.user.has_perm("screening.add_screeningterm"):
            raise PermissionDenied
        upload = request.FILES.get("file")
        which = request.POST.get("which", "terms")
        if upload is None:
            messages.error(request, "请选择要导入的 CSV 文件。")
        elif upload.size > csvio.MAX_BYTES:
            messages.error(request, "文件超过 5 MB，请拆分后分批导入。")
        else:
            importer = csvio.import_titles if which == "titles" else csvio.import_terms
            try:
                counts = importer(upload.read())
            except csvio.DictionaryImportError as error:
                messages.error(request, f"未导入任何内容：{error}")
            else:
                record(
                    "screening.dictionary_import",
                    object_type=f"screening.{which}",
                    changes=counts,
                    message=f"导入{'领导职务' if which == 'titles' else '错敏词'}：新增 {counts['created']} 条，更新 {counts['updated']} 条",
                    request=request,
                )
                messages.success(
                    request, f"已导入：新增 {counts['created']} 条，更新 {counts['updated']} 条。"
                )
        return redirect("screening_transfer")
    export = request.GET.get("export")
    if export in ("terms", "titles"):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d")
        response["Content-Disposition"] = f'attachment; filename="screening-{export}-{stamp}.csv"'
        response.write("\ufeff")  # Excel reads UTF-8 with a BOM
        (csvio.export_titles if export == "titles" else csvio.export_terms)(response)
        return response
    return render(
        request,
        "screening/transfer.html",
        {"term_header": csvio.TERM_HEADER, "title_header": csvio.TITLE_HEADER},
    )
