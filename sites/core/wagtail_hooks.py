from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from security.roles import is_webmaster

from . import deadlines, todos, views


@hooks.register("register_admin_urls")
def core_admin_urls():
    return [
        path("mail/", views.mail_list, name="site_mail"),
        path("mail/<str:name>/", views.mail_detail, name="site_mail_detail"),
        path("help/", views.help_index, name="site_help"),
        path("help/<slug:slug>/", views.help_guide, name="site_help_guide"),
    ]


class WebmasterMenuItem(MenuItem):
    def is_shown(self, request):
        return is_webmaster(request.user)


@hooks.register("register_settings_menu_item")
def mail_menu_item():
    return WebmasterMenuItem("邮件", reverse("site_mail"), icon_name="mail", order=920)


@hooks.register("register_admin_menu_item")
def help_menu_item():
    return MenuItem(
        "使用帮助", reverse("site_help"), name="site-help", icon_name="help", order=9900
    )


# Wagtail's own help links lead to its English, off-site guide and release notes.
WAGTAIL_HELP_ITEMS = {"editor-guide"}


@hooks.register("construct_help_menu")
def our_help_only(request, menu_items):
    menu_items[:] = [
        item
        for item in menu_items
        if item.name not in WAGTAIL_HELP_ITEMS and not item.name.startswith("whats-new-in-wagtail")
    ]


@hooks.register("construct_homepage_panels")
def todo_panel(request, panels):
    panels.append(todos.TodoPanel())


@hooks.register("register_log_actions")
def deadline_log_action(actions):
    actions.register_action(deadlines.ACTION, "到期提醒已发送", "到期提醒邮件已发送")
