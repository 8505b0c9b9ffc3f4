from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import views
from .models import Department, ReviewRoute, TopicCategory


class TopicCategoryViewSet(SnippetViewSet):
    model = TopicCategory
    icon = "tag"
    list_display = ["name", "sort_order"]


class DepartmentViewSet(SnippetViewSet):
    model = Department
    icon = "group"
    list_display = ["name", "sort_order"]


class ReviewRouteViewSet(SnippetViewSet):
    model = ReviewRoute
    icon = "tasks"
    list_display = ["grade", "workflow"]


class DisclosureDataGroup(SnippetViewSetGroup):
    items = (TopicCategoryViewSet, DepartmentViewSet, ReviewRouteViewSet)
    menu_icon = "folder-open-inverse"
    menu_label = "信息公开设置"
    menu_name = "disclosure-settings"


register_snippet(DisclosureDataGroup)


@hooks.register("register_admin_urls")
def register_report_url():
    return [path("disclosure/report/", views.yearly_report, name="disclosure_yearly_report")]


class ReportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(views.REPORT_PERMISSION)


@hooks.register("register_reports_menu_item")
def register_report_menu_item():
    return ReportMenuItem("政府信息公开年度报告", reverse("disclosure_yearly_report"),
                          icon_name="table", order=900)
