"""The platform-wide 错敏词 dictionary (public schema): operators add, disable, delete, import
and export entries; security auditors read it. Every site checks against it as well as its own."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from security.audit.services import record
from security.roles import is_console_operator
from security.screening import csvio
from security.screening.models import OfficialTitle, ScreeningTerm

from .views import reader_required


class TermForm(forms.ModelForm):
    class Meta:
        model = ScreeningTerm
        fields = ["kind", "term", "suggestion", "severity", "note"]


class TitleForm(forms.ModelForm):
    class Meta:
        model = OfficialTitle
        fields = ["person", "title", "organisation", "sort_order"]


@login_required(login_url="console:login")
@reader_required
def dictionary(request):
    if request.method == "POST":
        if not is_console_operator(request.user):
            raise PermissionDenied
        _apply(request)
        return redirect(request.get_full_path())
    export = request.GET.get("export")
    if export in ("terms", "titles"):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d")
        response["Content-Disposition"] = f'attachment; filename="platform-{export}-{stamp}.csv"'
        response.write("\ufeff")
        (csvio.export_titles if export == "titles" else csvio.export_terms)(response)
        return response
    terms = ScreeningTerm.objects.all()
    query = request.GET.get("q", "").strip()[:100]
    if query:
        terms = terms.filter(Q(term__icontains=query) | Q(suggestion__icontains=query))
    kind = request.GET.get("kind", "")
    if kind:
        terms = terms.filter(kind=kind)
    page = Paginator(terms, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "tenants/console/screening.html",
        {
            "page": page,
            "query": query,
            "kind": kind,
            "kinds": ScreeningTerm._meta.get_field("kind").choices,
            "titles": OfficialTitle.objects.all()[:500],
            "term_form": TermForm(),
            "title_form": TitleForm(),
            "can_edit": is_console_operator(request.user),
            "term_header": csvio.TERM_HEADER,
            "title_header": csvio.TITLE_HEADER,
        },
    )


def _apply(request):
    action = request.POST.get("action")
    if action == "add_term":
        form = TermForm(request.POST)
        if form.is_valid():
            term = form.save()
            record("screening.dictionary_change", obj=term, message=f"新增全平台错敏词：{term}")
            messages.success(request, f"已添加：{term}")
        else:
            messages.error(
                request, "未添加：" + "；".join(e for errs in form.errors.values() for e in errs)
            )
    elif action == "add_title":
        form = TitleForm(request.POST)
        if form.is_valid():
            row = form.save()
            record("screening.dictionary_change", obj=row, message=f"新增领导职务：{row}")
            messages.success(request, f"已添加：{row}")
        else:
            messages.error(
                request, "未添加：" + "；".join(e for errs in form.errors.values() for e in errs)
            )
    elif action in ("toggle_term", "delete_term", "delete_title"):
        model = OfficialTitle if action == "delete_title" else ScreeningTerm
        row = model.objects.filter(pk=request.POST.get("id") or 0).first()
        if row is None:
            messages.error(request, "该条目已不存在。")
        elif action == "toggle_term":
            row.enabled = not row.enabled
            row.save()
            record(
                "screening.dictionary_change",
                obj=row,
                message=f"{'启用' if row.enabled else '停用'}：{row}",
            )
            messages.success(request, f"已{'启用' if row.enabled else '停用'}：{row}")
        else:
            record("screening.dictionary_change", obj=row, message=f"删除：{row}")
            row.delete()
            messages.success(request, f"已删除：{row}")
    elif action == "import":
        upload = request.FILES.get("file")
        which = request.POST.get("which", "terms")
        if upload is None or upload.size > csvio.MAX_BYTES:
            messages.error(request, "请选择不超过 5 MB 的 CSV 文件。")
            return
        importer = csvio.import_titles if which == "titles" else csvio.import_terms
        try:
            counts = importer(upload.read())
        except csvio.DictionaryImportError as error:
            messages.error(request, f"未导入任何内容：{error}")
            return
        record(
            "screening.dictionary_import",
            object_type=f"screening.{which}",
            changes=counts,
            message=f"导入全平台词库：新增 {counts['created']} 条，更新 {counts['updated']} 条",
        )
        messages.success(
            request, f"已导入：新增 {counts['created']} 条，更新 {counts['updated']} 条。"
        )
