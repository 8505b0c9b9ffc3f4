from django.apps import apps
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.action_menu import ActionMenuItem, SubmitForModerationMenuItem
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import confidentiality, decisions, review, views
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


# --- Emergency information: the fast path (I5) -----------------------------------------------


@hooks.register("register_admin_urls")
def register_emergency_urls():
    from . import emergency_views

    return [
        path(
            "disclosure/emergency/", emergency_views.releases, name="disclosure_emergency_releases"
        ),
        path(
            "disclosure/emergency/<int:page_id>/release/",
            emergency_views.release,
            name="disclosure_emergency_release",
        ),
        path(
            "disclosure/emergency/review/<int:release_id>/",
            emergency_views.review,
            name="disclosure_emergency_review",
        ),
    ]


class EmergencyMenuItem(MenuItem):
    def is_shown(self, request):
        from . import emergency

        return emergency.can_fast_release(request.user) or emergency.can_post_review(request.user)


@hooks.register("register_admin_menu_item")
def register_emergency_menu_item():
    return EmergencyMenuItem(
        "突发事件快速发布",
        reverse("disclosure_emergency_releases"),
        icon_name="warning",
        name="emergency-releases",
        order=360,
    )


@hooks.register("register_page_header_buttons")
def emergency_release_button(page, user, view_name=None, next_url=None):
    from wagtail.admin.widgets import Button

    from . import emergency
    from .models import EmergencyInformationPage

    if (
        page.specific_class is not None
        and issubclass(page.specific_class, EmergencyInformationPage)
        and (not page.live or page.has_unpublished_changes)
        and emergency.can_fast_release(user)
    ):
        yield Button(
            "紧急发布（快速通道）",
            reverse("disclosure_emergency_release", args=[page.pk]),
            icon_name="warning",
            priority=5,
        )


class EmergencyReleaseMenuItem(ActionMenuItem):
    """In the editor's action menu of an emergency item: the fast path, next to 发布/提交审核."""

    label = "紧急发布（快速通道）"
    name = "action-emergency-release"
    icon_name = "warning"

    def is_shown(self, context):
        from . import emergency
        from .models import EmergencyInformationPage

        page = context.get("page")
        return (
            context["view"] == "edit"
            and not context.get("locked_for_user")
            and page is not None
            and issubclass(page.specific_class or object, EmergencyInformationPage)
            and emergency.can_fast_release(context["request"].user)
        )

    def get_url(self, parent_context):
        return reverse("disclosure_emergency_release", args=[parent_context["page"].pk])


@hooks.register("register_page_action_menu_item")
def emergency_release_menu_item():
    return EmergencyReleaseMenuItem(order=15)


# --- 保密审查 cannot be bypassed: the admin's paths say so before anything is half done ------
# (the rule and its enforcement on every path: sites.disclosure.confidentiality)


def _refusal_of_latest(page):
    specific = page.specific
    if not isinstance(specific, DisclosureItem):
        return None
    revision = specific.get_latest_revision()
    content = revision.content if revision else {}
    return confidentiality.refusal(
        specific.pk,
        content.get("title", specific.title),
        content.get("grade", specific.grade),
        revision.pk if revision else None,
    )


def _refused(request, reason, page):
    messages.error(request, reason)
    return redirect("wagtailadmin_pages:edit", page.pk)


@hooks.register("before_publish_page")
def confidentiality_before_publish(request, page):
    """Publish button, create-and-publish, revert-and-publish: the revision just saved (a draft
    now, nothing lost) goes live only with its 保密审查 approval."""
    if isinstance(page, DisclosureItem):
        revision = page.get_latest_revision()
        reason = confidentiality.refusal(page.pk, page.title, page.grade, revision.pk)
        if reason:
            return _refused(request, reason, page)
    return None


@hooks.register("before_bulk_action")
def confidentiality_before_bulk_publish(request, action_type, objects, action):
    if action_type != "publish":
        return None
    pages = list(objects)
    if action.get_execution_context().get("include_descendants"):
        for page in objects:
            pages += list(page.get_descendants().filter(has_unpublished_changes=True))
    reasons = [reason for page in pages if (reason := _refusal_of_latest(page))]
    if reasons:
        messages.error(request, f"未发布任何页面。{reasons[0]}（共 {len(reasons)} 条须保密审查）")
        return redirect(action.next_url)
    return None


@hooks.register("before_copy_page")
def confidentiality_before_copy(request, page):
    """A copy kept live is a new item nobody reviewed: copying with “发布副本” is refused for
    items under 保密审查 (copying as a draft is fine: the copy then goes through review)."""
    if request.method != "POST" or not request.POST.get("publish_copies"):
        return None
    pages = [page]
    if request.POST.get("copy_subpages"):
        pages += list(page.get_descendants().live())
    for candidate in pages:
        specific = candidate.specific
        if (
            isinstance(specific, DisclosureItem)
            and candidate.live
            and confidentiality.requires_review(None, specific.grade)
        ):
            messages.error(
                request,
                f"“{specific.title}”须经保密审查：复制后直接发布的副本没有保密审查记录，"
                "请取消“发布副本”，复制为草稿后提交审核。",
            )
            return redirect("wagtailadmin_pages:copy", page.pk)
    return None


hooks.register("before_edit_page", decisions.refuse_autosaved_decision)


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
