from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import views


@hooks.register("register_admin_urls")
def security_admin_urls():
    return [
        path("security/audit/", views.site_audit_trail, name="security_audit_trail"),
        path("security/accounts/", views.account_security, name="security_accounts"),
    ]


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


@hooks.register("register_settings_menu_item")
def audit_menu_item():
    return PermissionMenuItem(
        "审计日志",
        reverse("security_audit_trail"),
        icon_name="list-ul",
        order=900,
        permission="security.view_audit_trail",
    )


@hooks.register("register_settings_menu_item")
def accounts_menu_item():
    return PermissionMenuItem(
        "账户安全",
        reverse("security_accounts"),
        icon_name="lock",
        order=910,
        permission="security.unlock_account",
    )


@hooks.register("register_account_menu_item")
def two_factor_menu_item(request):
    return {
        "url": reverse("security:2fa_setup"),
        "label": "两步验证（认证器）",
        "help_text": "绑定或更换手机认证器",
    }
