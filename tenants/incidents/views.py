"""The site's admin (/admin/incidents/): its own security incidents, and the steps its
webmaster takes — acknowledge (确认) and record what was done (处置). Closing (结案) and freezing
the site are the platform operators' (console.py). Every query is filtered by the request's
site: another site's incident is a 404. The site's webmasters act; its auditors read."""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from security.audit.context import actor_name
from security.roles import AUDITOR, is_webmaster

from ..models import Website
from . import services
from .models import SecurityIncident


def can_read(user) -> bool:
    return is_webmaster(user) or (
        user.is_authenticated and user.groups.filter(name=AUDITOR).exists()
    )


def site_incidents(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        site = Website.objects.current()
        if site is None:
            raise Http404("not a site")
        if not can_read(request.user):
            raise PermissionDenied("只有本站网站管理员和审计员可以查看安全事件")
        return view(request, site, *args, **kwargs)

    return wrapped


@site_incidents
def incident_list(request, site):
    incidents = SecurityIncident.objects.filter(website=site)
    return render(
        request,
        "incidents/admin/list.html",
        {"heading": "网站安全事件", "incidents": incidents[:200], "site": site},
    )


@site_incidents
def incident_detail(request, site, incident_id):
    incident = get_object_or_404(SecurityIncident, pk=incident_id, website=site)
    return render(
        request,
        "incidents/admin/detail.html",
        {
            "heading": f"安全事件 {incident.number}",
            "incident": incident,
            "can_act": is_webmaster(request.user),
        },
    )


@require_POST
@site_incidents
def incident_step(request, site, incident_id):
    incident = get_object_or_404(SecurityIncident, pk=incident_id, website=site)
    if not is_webmaster(request.user):
        raise PermissionDenied("只有本站网站管理员可以确认和处置安全事件")
    # User names repeat across sites (every site has a "webmaster"): the record names the site.
    actor = f"{site.short_name}·{actor_name(request.user)}"
    step = request.POST.get("step")
    try:
        if step == "acknowledge":
            services.acknowledge(incident, actor, request=request)
            messages.success(request, "已确认事件。请按应急预案处置，处置后填写处置措施。")
        elif step == "handle":
            services.handle(incident, actor, request.POST.get("measures", ""), request=request)
            messages.success(request, "已记录处置措施。平台运维人员核实后结案。")
        else:
            messages.error(request, "未知的操作。")
    except ValidationError as error:
        messages.error(request, "未保存：" + "；".join(error.messages))
    return redirect("incidents_detail", incident.pk)
