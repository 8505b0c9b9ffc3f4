"""What an approver is told after acting on a review task, and where they land.

Wagtail sends an approver back to the item's edit view. Once the item has moved on (to the
next step, or live after the last), an approver without edit rights there — the leader who
gave the final approval — would meet 403 "对不起，你没有权限访问". They land on the
dashboard instead, with a message saying what they approved and what happens next.
"""

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.models import Page, TaskState


def _task_handlers(task) -> str:
    groups = getattr(task.specific, "groups", None)
    names = list(groups.values_list("name", flat=True)) if groups is not None else []
    return "、".join(names)


def outcome_message(page, user) -> str | None:
    """The approver's last decision on `page`, and what follows, in words."""
    state = (
        TaskState.objects.filter(
            workflow_state__base_content_type=ContentType.objects.get_for_model(Page),
            workflow_state__object_id=str(page.pk),
            finished_by=user,
        )
        .select_related("task")
        .order_by("-finished_at", "-pk")
        .first()
    )
    if state is None:
        return None
    page = Page.objects.get(pk=page.pk).specific
    title = (
        page.get_latest_revision_as_object().title if page.has_unpublished_changes else page.title
    )
    step = state.task.name
    if state.status == TaskState.STATUS_REJECTED:
        return f"你已退回「{title}」（{step}），编辑修改后可重新提交审核。"
    if state.status != TaskState.STATUS_APPROVED:
        return None
    workflow_state = page.current_workflow_state
    if workflow_state is not None and workflow_state.current_task_state is not None:
        following = workflow_state.current_task_state.task
        handlers = _task_handlers(following)
        by = f"，由{handlers}办理" if handlers else ""
        return f"你已通过「{title}」的{step}。下一步：{following.name}{by}；全部通过后自动发布。"
    if page.live and not page.has_unpublished_changes:
        return f"你已通过「{title}」的{step}，审核流程已完成，该信息已发布。"
    go_live = page.go_live_at
    revision = page.get_latest_revision()
    if revision is not None and revision.approved_go_live_at:
        go_live = revision.approved_go_live_at
    if go_live and go_live > timezone.now():
        when = timezone.localtime(go_live).strftime("%Y-%m-%d %H:%M")
        return f"你已通过「{title}」的{step}，审核流程已完成，该信息将于 {when} 定时发布。"
    return f"你已通过「{title}」的{step}，审核流程已完成。"


def landing_url(request, page) -> str:
    """Where an approver goes after acting: `next` if given, the edit view if they may still
    open it, otherwise their dashboard."""
    next_url = get_valid_next_url_from_request(request)
    if next_url:
        return next_url
    page = Page.objects.get(pk=page.pk)
    if page.permissions_for_user(request.user).can_edit():
        return reverse("wagtailadmin_pages:edit", args=(page.pk,))
    return reverse("wagtailadmin_home")


def tell(request, page) -> None:
    text = outcome_message(page, request.user)
    if text:
        messages.success(request, text)
