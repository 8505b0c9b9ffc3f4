"""The platform console's part (public schema): the evaluation's settings, which operators
change (the national defaults stay beside each value), and every site's ranking (read-only)."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required, user_passes_test
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from security.audit.context import actor_name
from security.audit.services import record
from security.roles import is_console_operator, is_console_security_auditor

from . import indicators, ranking
from .models import IndicatorSetting

operator_required = user_passes_test(is_console_operator, login_url="console:login")
reader_required = user_passes_test(
    lambda u: is_console_operator(u) or is_console_security_auditor(u), login_url="console:login"
)
MAX_VALUE = Decimal("100000")


@login_required(login_url="console:login")
@reader_required
def evaluation(request):
    indicators.current_values()  # rows for every registered indicator's settings
    rows = list(IndicatorSetting.objects.all())
    if request.method == "POST":
        if not is_console_operator(request.user):
            messages.error(request, "只有平台运维人员可以修改评估设置。")
            return redirect("monitoring_console:evaluation")
        changed, errors = {}, []
        for row in rows:
            raw = request.POST.get(row.key)
            if raw is None or raw.strip() == "":
                continue
            try:
                value = Decimal(raw.strip())
            except InvalidOperation:
                errors.append(f"{row.label}：“{raw[:20]}”不是数字")
                continue
            if not Decimal(0) <= value <= MAX_VALUE or value != value.quantize(Decimal("0.01")):
                errors.append(f"{row.label}：请填写 0 到 100000 之间、最多两位小数的数")
                continue
            if value != row.value:
                changed[row.key] = [str(row.value), str(value)]
                row.value = value
                row.changed_by = actor_name(request.user)
                row.changed_at = timezone.now()
        if errors:
            messages.error(request, "未保存，请改正：" + "；".join(errors))
            return render(request, "monitoring/console/evaluation.html", {"rows": rows}, status=400)
        IndicatorSetting.objects.bulk_update(
            [r for r in rows if r.key in changed], ["value", "changed_by", "changed_at"]
        )
        if changed:
            record(
                "console.evaluation_settings",
                schema_name="public",
                object_type="monitoring.IndicatorSetting",
                object_repr="评估指标设置",
                changes=changed,
                request=request,
            )
            messages.success(request, f"已保存 {len(changed)} 项设置，下次评估起生效。")
        else:
            messages.info(request, "没有修改。")
        return redirect("monitoring_console:evaluation")
    return render(request, "monitoring/console/evaluation.html", {"rows": rows})


@login_required(login_url="console:login")
@reader_required
def site_ranking(request):
    rows = ranking.ranking()
    if request.GET.get("format") == "xlsx":
        return ranking.xlsx_response(ranking.ranking_workbook(rows), "site-ranking.xlsx")
    if request.GET.get("format") == "csv":
        return ranking.csv_response(rows, "site-ranking.csv")
    return render(request, "monitoring/console/ranking.html", {"rows": rows})


app_name = "monitoring_console"
urlpatterns = [
    path("", site_ranking, name="ranking"),
    path("settings/", evaluation, name="evaluation"),
]
