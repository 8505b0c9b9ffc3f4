from django import forms
from django.contrib.auth import get_user_model
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.models import Page

from . import vendors, views
from .models import VendorGrant
from .roles import OUTSOURCED_OPERATOR


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


# --- outsourced operators' contracts (O3): the webmaster's screen and dashboard warning ----


class VendorGrantViewSet(ModelViewSet):
    model = VendorGrant
    icon = "user"
    menu_label = "外包运维授权"
    add_to_settings_menu = True
    name = "vendor_grants"
    list_display = ["user", "company", "contract_end"]
    form_fields = ["user", "company", "contract_number", "contract_end", "sections"]

    def get_form_class(self, for_update=False):
        form_class = super().get_form_class(for_update)
        form_class.base_fields["sections"].widget = forms.CheckboxSelectMultiple()
        form_class.base_fields["sections"].queryset = Page.objects.filter(depth__in=[3, 4])
        form_class.base_fields["user"].queryset = (
            get_user_model().objects.filter(groups__name=OUTSOURCED_OPERATOR).distinct()
        )
        return form_class


@hooks.register("register_admin_viewset")
def register_vendor_grants():
    return VendorGrantViewSet()


class VendorContractsPanel(Component):
    """Webmasters see the vendor contracts ending soon (or ended) on their dashboard."""

    name = "vendor_contracts"
    order = 50

    def __init__(self, grants):
        self.grants = grants

    def render_html(self, parent_context=None):
        today = timezone.localdate()
        rows = format_html_join(
            "",
            "<li>{}：账户 {} 的合同{}（{}）</li>",
            (
                (
                    g.company,
                    g.user.get_username(),
                    "已到期，账户已不能登录" if g.contract_end < today else "即将到期",
                    f"{g.contract_end:%Y-%m-%d}",
                )
                for g in self.grants
            ),
        )
        return format_html(
            '<section class="panel vendor-contracts" role="status">'
            "<h2>外包运维合同提醒</h2><ul>{}</ul>"
            '<p><a href="{}">管理外包运维授权</a></p></section>',
            rows,
            reverse("vendor_grants:index"),
        )


@hooks.register("construct_homepage_panels")
def vendor_contracts_panel(request, panels):
    if not request.user.has_perm(vendors.MANAGE_PERMISSION):
        return
    grants = list(vendors.ending_soon())
    if grants:
        panels.append(VendorContractsPanel(grants))
