"""The console's part for operators: export one applicant's data (JSON) and erase the
personal data of cases past their retention date (as `erase_expired_cases` does)."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required, user_passes_test
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from security.audit.services import record
from security.roles import is_console_operator

from . import privacy

operator_required = user_passes_test(is_console_operator, login_url="console:login")


@never_cache
@login_required(login_url="console:login")
@operator_required
def privacy_page(request):
    if request.method == "POST" and request.POST.get("action") == "export":
        identifier = (request.POST.get("identifier") or "").strip()[:100]
        if not identifier:
            messages.error(request, "请填写申请人的身份证号、电话、邮箱或姓名。")
            return redirect("casework_console:privacy")
        data = privacy.export_applicant(identifier)
        record(
            "case.export",
            schema_name="public",
            object_type="casework.case",
            message=f"导出 {len(data['cases'])} 件办件的申请人信息",
        )
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="applicant-export.json"'
        response["Cache-Control"] = "private, no-store"
        return response
    if request.method == "POST" and request.POST.get("action") == "erase":
        count = privacy.erase_expired()
        messages.success(request, f"已删除 {count} 件保存期满办件的个人信息和材料。")
        return redirect("casework_console:privacy")
    return render(request, "casework/console/privacy.html", {"expired": privacy.expired().count()})
