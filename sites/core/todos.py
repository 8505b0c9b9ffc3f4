"""我的待办: the dashboard panel of what waits for the signed-in user (issue 13 item 7).

Built in the site's own schema: review tasks the user may act on (Wagtail workflows),
scheduled go-lives and items about to expire. Apps above this layer add their own lines
through the `jiyue_dashboard_todos` hook (federation.syndication: the portal's offer inbox);
each hook is called with the request and returns a list of Todo.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.models import Page, Revision, TaskState

from security.roles import is_webmaster

TODO_HOOK = "jiyue_dashboard_todos"
EXPIRY_WARNING = datetime.timedelta(days=14)
SHOWN = 5


@dataclass
class Todo:
    label: str
    count: int
    url: str = ""
    items: list[tuple[str, str, str]] = field(default_factory=list)  # (title, url, note)


def _edit_url(page_id) -> str:
    return reverse("wagtailadmin_pages:edit", args=(page_id,))


def awaiting_review(user) -> Todo | None:
    states = (
        TaskState.objects.reviewable_by(user)
        .filter(status=TaskState.STATUS_IN_PROGRESS)
        .select_related("task", "workflow_state")
        .order_by("started_at")
    )
    count = states.count()
    if not count:
        return None
    page_ct = ContentType.objects.get_for_model(Page)
    items = []
    for state in states[:SHOWN]:
        if state.workflow_state.base_content_type_id != page_ct.pk:
            continue
        page = Page.objects.filter(pk=state.workflow_state.object_id).first()
        if page is not None:
            title = page.get_latest_revision_as_object().title
            items.append((title, _edit_url(page.pk), state.task.name))
    return Todo("等待你审核", count, "", items)


def recently_reviewed(user) -> Todo | None:
    """What the user approved or sent back lately, and where each item stands now."""
    page_ct = ContentType.objects.get_for_model(Page)
    states = (
        TaskState.objects.filter(
            finished_by=user,
            workflow_state__base_content_type=page_ct,
            status__in=[TaskState.STATUS_APPROVED, TaskState.STATUS_REJECTED],
        )
        .select_related("task", "workflow_state")
        .order_by("-finished_at")[:SHOWN]
    )
    items = []
    for state in states:
        page = Page.objects.filter(pk=state.workflow_state.object_id).first()
        if page is None:
            continue
        decision = "已退回" if state.status == TaskState.STATUS_REJECTED else "已通过"
        current = page.current_workflow_state
        if current is not None and current.current_task_state is not None:
            now = f"等待{current.current_task_state.task.name}"
        elif page.live and not page.has_unpublished_changes:
            now = "已发布"
        elif state.status == TaskState.STATUS_REJECTED:
            now = "等待编辑修改"
        else:
            now = "审核完成，待发布"
        items.append((page.title, _edit_url(page.pk), f"{state.task.name}{decision} · 现在：{now}"))
    if not items:
        return None
    return Todo("我最近审核的", len(items), "", items)


def scheduled(user) -> Todo | None:
    page_ct = ContentType.objects.get_for_model(Page)
    revisions = Revision.objects.filter(
        base_content_type=page_ct, approved_go_live_at__isnull=False
    ).order_by("approved_go_live_at")
    if not is_webmaster(user):
        revisions = revisions.filter(user=user)
    count = revisions.count()
    if not count:
        return None
    items = [
        (
            revision.object_str,
            _edit_url(revision.object_id),
            timezone.localtime(revision.approved_go_live_at).strftime("%m-%d %H:%M 发布"),
        )
        for revision in revisions[:SHOWN]
    ]
    return Todo("定时发布", count, "", items)


def expiring(user) -> Todo | None:
    now = timezone.now()
    pages = Page.objects.live().filter(expire_at__gt=now, expire_at__lte=now + EXPIRY_WARNING)
    if not is_webmaster(user):
        pages = pages.filter(owner=user)
    pages = pages.order_by("expire_at")
    count = pages.count()
    if not count:
        return None
    items = [
        (
            page.title,
            _edit_url(page.pk),
            timezone.localtime(page.expire_at).strftime("%m-%d %H:%M 下线"),
        )
        for page in pages[:SHOWN]
    ]
    return Todo("即将到期（14 天内下线）", count, "", items)


def todos_for(request) -> list[Todo]:
    user = request.user
    found = [awaiting_review(user), scheduled(user), expiring(user), recently_reviewed(user)]
    for hook in hooks.get_hooks(TODO_HOOK):
        found += hook(request) or []
    return [todo for todo in found if todo]


class TodoPanel(Component):
    name = "jiyue_todos"
    template_name = "core/admin_todos.html"
    order = 50  # above Wagtail's own panels

    def get_context_data(self, parent_context):
        return {"todos": todos_for(parent_context["request"])}
