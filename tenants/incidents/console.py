"""The platform console's part (public schema, /incidents/): every site's security incidents.

Operators take every step of the plan — report one that came from outside (a notice from the
police or the cyberspace office), acknowledge, record handling, freeze the site, regrade, close.
Security auditors read. Each step is audited in the site's chain (services)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, user_passes_test
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from security.audit.context import actor_name
from security.roles import is_console_operator, is_console_security_auditor

from ..models import Website
from . import services
from .models import SecurityIncident

operator_required = user_passes_test(is_console_operator, login_url="console:login")
reader_required = user_passes_test(
    lambda u: is_console_operator(u) or is_console_security_auditor(u), login_url="console:login"
)


def _actor(request) -> str:
    return f"平台·{actor_name(request.user)}"


@login_required(login_url="console:login")
@reader_required
def incident_list(request):
    incidents = SecurityIncident.objects.select_related("website")
    status = request.GET.get("status", "open")
    if status == "open":
        incidents = incidents.exclude(status=SecurityIncident.Status.CLOSED)
    return render(
        request,
        "incidents/console/list.html",
        {
            "incidents": incidents[:500],
            "status": status,
            "sites": Website.objects.sites().order_by("kind", "legal_name"),
            "kinds": SecurityIncident.Kind.choices,
            "levels": SecurityIncident.Level.choices,
            "can_act": is_console_operator(request.user),
        },
    )


@require_POST
@login_required(login_url="console:login")
@operator_required
def report(request):
    website = Website.objects.sites().filter(schema_name=request.POST.get("site", "")).first()
    kind = request.POST.get("kind", "")
    level = request.POST.get("level", "")
    title = request.POST.get("title", "").strip()
    problems = [
        message
        for missing, message in (
            (website is None, "请选择网站"),
            (kind not in SecurityIncident.Kind.values, "请选择事件类型"),
            (level not in SecurityIncident.Level.values, "请选择事件级别"),
            (not title, "请填写事件名称"),
        )
        if missing
    ]
    if problems:
        messages.error(request, "未报告：" + "；".join(problems))
        return redirect("incidents_console:list")
    incident, _ = services.report(
        website,
        kind,
        title,
        level=level,
        observed=request.POST.get("observed", "").strip(),
        source="console",
        actor=_actor(request),
    )
    messages.success(request, f"已报告 {incident.number}，并通知了网站责任人。")
    return redirect("incidents_console:detail", incident.pk)


@login_required(login_url="console:login")
@reader_required
def incident_detail(request, incident_id):
    incident = get_object_or_404(SecurityIncident.objects.select_related("website"), pk=incident_id)
    return render(
        request,
        "incidents/console/detail.html",
        {
            "incident": incident,
            "levels": SecurityIncident.Level.choices,
            "can_act": is_console_operator(request.user),
        },
    )


STEPS = {
    "acknowledge": lambda i, actor, post, request: services.acknowledge(i, actor, request),
    "handle": lambda i, actor, post, request: services.handle(
        i, actor, post.get("measures", ""), request
    ),
    "close": lambda i, actor, post, request: services.close(
        i, actor, post.get("conclusion", ""), request
    ),
    "level": lambda i, actor, post, request: services.set_level(
        i, post.get("level", ""), actor, request
    ),
    "freeze": lambda i, actor, post, request: services.freeze_site(i, actor, request),
}


@require_POST
@login_required(login_url="console:login")
@operator_required
def incident_step(request, incident_id):
    incident = get_object_or_404(SecurityIncident, pk=incident_id)
    step = STEPS.get(request.POST.get("step", ""))
    if step is None:
        messages.error(request, "未知的操作。")
    else:
        try:
            step(incident, _actor(request), request.POST, request)
        except ValidationError as error:
            messages.error(request, "未保存：" + "；".join(error.messages))
        else:
            messages.success(request, "已保存。")
    return redirect("incidents_console:detail", incident.pk)


app_name = "incidents_console"
urlpatterns = [
    path("", incident_list, name="list"),
    path("report/", report, name="report"),
    path("<int:incident_id>/", incident_detail, name="detail"),
    path("<int:incident_id>/step/", incident_step, name="step"),
]
