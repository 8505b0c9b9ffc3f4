from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from security.roles import is_webmaster

from . import views


@hooks.register("register_admin_urls")
def core_admin_urls():
    return [
        path("mail/", views.mail_list, name="site_mail"),
        path("mail/<str:name>/", views.mail_detail, name="site_mail_detail"),
    ]


class WebmasterMenuItem(MenuItem):
    def is_shown(self, request):
        return is_webmaster(request.user)


@hooks.register("register_settings_menu_item")
def mail_menu_item():
    return WebmasterMenuItem("邮件", reverse("site_mail"), icon_name="mail", order=920)
