"""Admin wiring: 网站安全事件 in each site's admin, and open incidents on its dashboard."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from sites.core.todos import TODO_HOOK, Todo

from ..models import Website
from . import views
from .models import SecurityIncident


@hooks.register("register_admin_urls")
def urls():
    return [
        path("incidents/", views.incident_list, name="incidents_list"),
        path("incidents/<int:incident_id>/", views.incident_detail, name="incidents_detail"),
        path("incidents/<int:incident_id>/step/", views.incident_step, name="incidents_step"),
    ]


class IncidentsMenuItem(MenuItem):
    def is_shown(self, request):
        return Website.objects.current() is not None and views.can_read(request.user)


@hooks.register("register_admin_menu_item")
def menu_item():
    return IncidentsMenuItem(
        "网站安全事件", reverse("incidents_list"), icon_name="warning", name="incidents", order=365
    )


@hooks.register(TODO_HOOK)
def open_incidents(request):
    site = Website.objects.current()
    if site is None or not views.can_read(request.user):
        return []
    waiting = SecurityIncident.objects.filter(website=site).exclude(
        status__in=[SecurityIncident.Status.HANDLED, SecurityIncident.Status.CLOSED]
    )
    if not waiting.exists():
        return []
    return [
        Todo(
            "网站安全事件（按应急预案确认和处置）",
            waiting.count(),
            reverse("incidents_list"),
            [
                (
                    f"{i.title}（{i.get_status_display()}）",
                    reverse("incidents_detail", args=(i.pk,)),
                    f"{i.reported_at:%m-%d %H:%M}",
                )
                for i in waiting[:5]
            ],
        )
    ]
