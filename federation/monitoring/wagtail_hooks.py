"""Admin wiring: the 网站监测 menu, its URLs, and the dashboard's early warnings (我的待办)."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from sites.core.todos import TODO_HOOK, Todo
from tenants.models import Website

from . import views
from .models import DefacementAlert, Finding, Scorecard


@hooks.register("register_admin_urls")
def urls():
    return [
        path("monitoring/", views.site_card, name="monitoring_card"),
        path("monitoring/recompute/", views.recompute, name="monitoring_recompute"),
        path(
            "monitoring/alerts/<int:alert_id>/",
            views.resolve_alert,
            name="monitoring_resolve_alert",
        ),
        path("monitoring/links/", views.broken_links, name="monitoring_links"),
        path("monitoring/links/recheck/", views.recheck, name="monitoring_recheck"),
        path("monitoring/report/", views.annual_report, name="monitoring_report"),
        path("monitoring/sites/", views.office_ranking, name="monitoring_ranking"),
        path("monitoring/sites/<str:schema_name>/", views.office_site, name="monitoring_site"),
    ]


class SiteMenuItem(MenuItem):
    def is_shown(self, request):
        return Website.objects.current() is not None


class OfficeMenuItem(MenuItem):
    def is_shown(self, request):
        return views.is_office(request.user, Website.objects.current())


@hooks.register("register_admin_menu_item")
def menu_item():
    menu = Menu(
        items=[
            SiteMenuItem("本站评分卡", reverse("monitoring_card"), icon_name="pick", order=100),
            SiteMenuItem("失效链接", reverse("monitoring_links"), icon_name="link", order=200),
            SiteMenuItem("年度报表", reverse("monitoring_report"), icon_name="table", order=300),
            OfficeMenuItem(
                "各网站排名", reverse("monitoring_ranking"), icon_name="list-ol", order=400
            ),
        ]
    )
    return SubmenuMenuItem("网站监测", menu, icon_name="pick", name="monitoring", order=360)


@hooks.register(TODO_HOOK)
def warnings_todo(request):
    """The latest card's vetoes and early warnings, and open defacement alerts."""
    site = Website.objects.current()
    if site is None:
        return []
    found = []
    alerts = DefacementAlert.objects.filter(website=site, status=DefacementAlert.Status.OPEN)
    if alerts.exists():
        found.append(
            Todo(
                "疑似篡改告警（请立即核实）",
                alerts.count(),
                reverse("monitoring_card") + "#alerts",
                [
                    (
                        "首页内容发生未知变更",
                        reverse("monitoring_card") + "#alerts",
                        f"{a.detected_at:%m-%d %H:%M}",
                    )
                    for a in alerts[:5]
                ],
            )
        )
    card = Scorecard.objects.filter(website=site).order_by("-day").first()
    if card is None:
        return found
    urgent = card.findings.filter(
        severity__in=[Finding.Severity.VETO, Finding.Severity.WARNING]
    ).order_by("severity", "pk")
    if urgent.exists():
        found.append(
            Todo(
                f"监测预警（{card.day:%m-%d} 评估 {card.score} 分）",
                urgent.count(),
                reverse("monitoring_card"),
                [
                    (f.title, f.admin_path or reverse("monitoring_card"), f.get_severity_display())
                    for f in urgent[:5]
                ],
            )
        )
    return found
