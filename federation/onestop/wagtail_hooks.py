"""Admin wiring: the S5 figures page (every site: its own; the portal: the city) and the
portal's life-event list."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views


@hooks.register("register_admin_urls")
def urls():
    return [
        path("onestop/figures/", admin_views.figures, name="onestop_figures"),
        path("onestop/life-events/", admin_views.life_events, name="onestop_life_events"),
    ]


@hooks.register("register_reports_menu_item")
def figures_menu_item():
    return MenuItem("办事服务统计", reverse("onestop_figures"), icon_name="table", order=910)


class PortalMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.may_edit_life_events(request)


@hooks.register("register_settings_menu_item")
def life_events_menu_item():
    return PortalMenuItem(
        "人生事件（办事大厅）", reverse("onestop_life_events"), icon_name="list-ul", order=900
    )
