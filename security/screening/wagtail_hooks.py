"""The site admin: dictionaries (snippets, CSV), the findings panel on the edit view, and the
admin's publishing paths checking the rule of guard.py first, with a message instead of an
error page (the pre_save guard still holds on every path)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import guard, services, views
from .models import OfficialTitle, ScreeningTerm


class ScreeningTermViewSet(SnippetViewSet):
    model = ScreeningTerm
    icon = "warning"
    menu_label = "错敏词"
    list_display = ["term", "kind", "suggestion", "severity", "enabled"]
    list_filter = ["kind", "severity", "enabled"]
    search_fields = ["term", "suggestion", "note"]


class OfficialTitleViewSet(SnippetViewSet):
    model = OfficialTitle
    icon = "user"
    menu_label = "领导姓名与职务"
    list_display = ["person", "title", "organisation", "sort_order"]
    search_fields = ["person", "title"]


class ScreeningGroup(SnippetViewSetGroup):
    items = (ScreeningTermViewSet, OfficialTitleViewSet)
    menu_icon = "warning"
    menu_label = "错敏词词库"
    menu_name = "screening-dictionary"
    menu_order = 750


register_snippet(ScreeningGroup)


@hooks.register("register_admin_urls")
def register_screening_urls():
    return [
        path("screening/pages/<int:page_id>/", views.panel, name="screening_panel"),
        path("screening/pages/<int:page_id>/override/", views.override, name="screening_override"),
        path("screening/dictionary/", views.transfer, name="screening_transfer"),
    ]


class TransferMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("screening.view_screeningterm")


@hooks.register("register_settings_menu_item")
def register_transfer_menu_item():
    return TransferMenuItem(
        "错敏词词库导入导出", reverse("screening_transfer"), icon_name="download", order=760
    )


@hooks.register("insert_editor_js")
def findings_panel_script():
    return format_html('<script src="{}" defer></script>', static("screening/editor.js"))


@hooks.register("insert_editor_css")
def findings_panel_css():
    return format_html('<link rel="stylesheet" href="{}">', static("screening/editor.css"))


# --- the publishing paths ------------------------------------------------------------------


def _refused(request, reason, page):
    messages.error(request, reason)
    return redirect("wagtailadmin_pages:edit", page.pk)


def _latest_refusal(page):
    return guard.refusal(page.specific.get_latest_revision_as_object())


@hooks.register("before_publish_page")
def screening_before_publish(request, page):
    """Publish, create-and-publish, revert-and-publish, a go-live date: the version just saved
    (a draft now: nothing typed is lost) is checked before it goes live or is scheduled."""
    reason = guard.refusal(page)
    if reason:
        return _refused(request, reason, page)
    return None


@hooks.register("before_bulk_action")
def screening_before_bulk_publish(request, action_type, objects, action):
    if action_type != "publish":
        return None
    pages = list(objects)
    if action.get_execution_context().get("include_descendants"):
        for page in objects:
            pages += list(page.get_descendants().filter(has_unpublished_changes=True))
    reasons = [reason for page in pages if (reason := _latest_refusal(page))]
    if reasons:
        messages.error(
            request, f"未发布任何页面。{reasons[0]}（共 {len(reasons)} 个页面有严重错敏词）"
        )
        return redirect(action.next_url)
    return None


@hooks.register("before_copy_page")
def screening_before_copy(request, page):
    """A copy kept live is a new item: its serious findings (overrides belong to the original)
    block “发布副本”; a copy as a draft goes through review."""
    if request.method != "POST" or not request.POST.get("publish_copies"):
        return None
    pages = [page]
    if request.POST.get("copy_subpages"):
        pages += list(page.get_descendants().live())
    for candidate in pages:
        if not candidate.live:
            continue
        specific = candidate.specific
        if guard.is_item(specific) and services.serious(guard.check_page(specific)):
            messages.error(
                request,
                f"“{specific.title}”有严重错敏词：复制后直接发布的副本没有审核员的放行记录，"
                "请取消“发布副本”，复制为草稿后修改或提交审核。",
            )
            return redirect("wagtailadmin_pages:copy", page.pk)
    return None


@hooks.register("before_move_page")
def screening_before_move(request, page, destination):
    """Moving a live item publishes it at a new address: the same rule."""
    if request.method != "POST" or not page.live:
        return None
    reason = guard.refusal(page.specific)
    if reason:
        messages.error(request, f"不能移动：{reason}")
        return redirect("wagtailadmin_pages:edit", page.pk)
    return None


@hooks.register("before_edit_page")
def screening_before_final_approval(request, page):
    """Approving the last step of a review publishes: refused while serious findings of the
    version being approved (as posted: the reviewer may have fixed words in the same go) are
    open. What the reviewer typed is kept as a draft."""
    if request.method != "POST" or "action-workflow-action" not in request.POST:
        return None
    if request.POST.get("workflow-action-name") != "approve":
        return None
    state = page.current_workflow_state
    if state is None or state.current_task_state is None:
        return None
    last = state.workflow.tasks.filter(active=True).last()
    if last is None or last.pk != state.current_task_state.task_id:
        return None  # approving an earlier step publishes nothing
    posted = _posted_version(request, page)
    if posted is None:
        return None  # the form has errors: Wagtail shows them and approves nothing
    version, changed = posted
    reason = guard.refusal(version)
    if not reason:
        return None
    if changed:
        version.save_revision(user=request.user, log_action=True)
    return _refused(request, reason, page)


def _posted_version(request, page):
    specific = page.specific
    latest = specific.get_latest_revision_as_object()
    form_class = type(specific).get_edit_handler().get_form_class()
    form = form_class(
        request.POST,
        request.FILES,
        instance=latest,
        parent_page=page.get_parent().specific,
        for_user=request.user,
    )
    if not form.is_valid():
        return None
    return form.save(commit=False), form.has_changed()


@hooks.register("after_edit_page")
@hooks.register("after_create_page")
def screening_on_submit(request, page):
    """Before review: what is submitted is checked, and the editor is told at once."""
    if request.method != "POST" or "action-submit" not in request.POST:
        return None
    page = page.specific
    findings = guard.check_page(page.get_latest_revision_as_object())
    if not findings:
        return None
    open_serious = guard.blocking(page, findings)
    messages.warning(
        request,
        f"错敏词检查：发现 {len(findings)} 处，其中 {len(open_serious)} 处严重（发布前须修改，"
        "或由审核员填写理由放行）。详见编辑页上方的“错敏词检查”。",
    )
    return None
