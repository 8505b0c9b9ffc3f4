from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views


@hooks.register("register_admin_urls")
def letters_admin_urls():
    return [
        path("letters/", admin_views.letter_list, name="letters_list"),
        path("letters/statistics/", admin_views.statistics, name="letters_statistics"),
        path("letters/<str:number>/", admin_views.letter_detail, name="letters_detail"),
    ]


class HandlerMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.can_handle(request.user)


@hooks.register("register_admin_menu_item")
def letters_menu_item():
    return HandlerMenuItem(
        "信箱与申请", reverse("letters_list"), name="letters", icon_name="mail", order=340
    )
