from django.apps import apps
from django.shortcuts import redirect
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.action_menu import SubmitForModerationMenuItem
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import review, views
from .models import Department, DisclosureItem, ReviewRoute, TopicCategory


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
    return ReportMenuItem(
        "政府信息公开年度报告", reverse("disclosure_yearly_report"), icon_name="table", order=900
    )


class GradedSubmitMenuItem(SubmitForModerationMenuItem):
    """Wagtail labels the submit button with the parent page's workflow when creating a page;
    a disclosure item's workflow follows its grade, so say that instead of a wrong name."""

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        page = context.get("page")
        state = page.current_workflow_state if page and page.pk else None
        if not (state and state.status == state.STATUS_NEEDS_CHANGES):
            context["label"] = "提交审核（按信息分级：一般—审核；敏感—审核、保密审查、领导审批）"
        return context


def _edited_model(request, context):
    page = context.get("page")
    if page is not None:
        return page.specific_class
    match = getattr(request, "resolver_match", None)
    kwargs = match.kwargs if match else {}
    try:
        return apps.get_model(kwargs["content_type_app_name"], kwargs["content_type_model_name"])
    except (KeyError, LookupError):
        return None


@hooks.register("construct_page_action_menu")
def label_submit_by_grade(menu_items, request, context):
    model = _edited_model(request, context)
    if model is None or not issubclass(model, DisclosureItem):
        return
    for item in menu_items:
        if type(item) is SubmitForModerationMenuItem:
            item.__class__ = GradedSubmitMenuItem


@hooks.register("after_edit_page")
def after_review_action_in_editor(request, page):
    """Approve / request changes from the editor: say what happens next, and leave the
    approver on a page they may open (review.landing_url)."""
    if request.method != "POST" or "action-workflow-action" not in request.POST:
        return None
    review.tell(request, page)
    target = review.landing_url(request, page)
    if target == reverse("wagtailadmin_home"):
        return redirect(target)
    return None
