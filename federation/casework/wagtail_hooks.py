"""Admin wiring: the 办件 menu entry and URLs, and the dashboard's 我的待办 lines for tasks
near or past their deadline. Everything here is the current site's own tasks only."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from sites.core.todos import TODO_HOOK, Todo
from tenants.models import Website

from . import admin_views


@hooks.register("register_admin_urls")
def urls():
    return [
        path("casework/", admin_views.task_list, name="casework_tasks"),
        path("casework/<str:number>/", admin_views.case_detail, name="casework_case"),
        path(
            "casework/<str:number>/files/<int:attachment_id>/",
            admin_views.download,
            name="casework_download",
        ),
        path("casework/<str:number>/<slug:action>/", admin_views.act, name="casework_act"),
    ]


class HandlerMenuItem(MenuItem):
    def is_shown(self, request):
        return Website.objects.current() is not None and admin_views.can_handle(request.user)


@hooks.register("register_admin_menu_item")
def menu_item():
    return HandlerMenuItem("办件", reverse("casework_tasks"), icon_name="tasks", order=340)


@hooks.register(TODO_HOOK)
def deadline_todo(request):
    site = Website.objects.current()
    if site is None or not admin_views.can_handle(request.user):
        return []
    tasks = admin_views.near_or_overdue(site)
    count = tasks.count()
    if not count:
        return []
    items = [
        (
            f"{task.case.number} {task.case.title}",
            reverse("casework_case", args=[task.case.number]),
            f"期限 {task.deadline:%m-%d}" + ("，已超期" if task.is_overdue_on() else ""),
        )
        for task in tasks[:5]
    ]
    return [Todo("办件临近或超过期限", count, reverse("casework_tasks") + "?state=open", items)]
