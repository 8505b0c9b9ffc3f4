"""Admin wiring: URLs, the 信息共享 menu, and page actions ("报送门户", "下发", column default).

The menu differs by site: the portal's curators get the inbox, subscriptions, push-downs and
broadcasts; every site gets its report and the shared resources. Items are hidden where they
do not apply, and the views refuse them too.
"""

from django.apps import apps
from django.contrib import messages
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.action_menu import ActionMenuItem
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.widgets import Button

from sites.core.models import ArticlePage, ColumnPage
from sites.core.todos import TODO_HOOK, Todo
from sites.syndicated.models import SyndicatedPage
from tenants.models import Website

from . import offers, rules, views
from .rules import SyndicationError


@hooks.register("register_admin_urls")
def urls():
    return [
        path("syndication/", views.report, name="syndication_report"),
        path("syndication/offer/<int:page_id>/", views.offer_page, name="syndication_offer_page"),
        path(
            "syndication/column/<int:page_id>/",
            views.column_offers,
            name="syndication_column_offers",
        ),
        path(
            "syndication/received/<int:delivery_id>/decline/",
            views.decline_delivery,
            name="syndication_decline_delivery",
        ),
        path("syndication/inbox/", views.inbox, name="syndication_inbox"),
        path(
            "syndication/inbox/<int:offer_id>/accept/",
            views.accept_offer,
            name="syndication_accept",
        ),
        path(
            "syndication/inbox/<int:offer_id>/decline/",
            views.decline_offer,
            name="syndication_decline",
        ),
        path("syndication/push/<int:page_id>/", views.push_down, name="syndication_push_down"),
        path("syndication/push/", views.push_downs, name="syndication_pushdowns"),
        path("syndication/subscriptions/", views.subscriptions, name="syndication_subscriptions"),
        path("syndication/broadcasts/", views.broadcast_list, name="syndication_broadcasts"),
        path(
            "syndication/broadcasts/requests/<int:request_id>/",
            views.broadcast_request,
            name="syndication_broadcast_request",
        ),
        path(
            "syndication/broadcasts/requests/<int:request_id>/decline/",
            views.broadcast_request_decline,
            name="syndication_broadcast_request_decline",
        ),
        path(
            "syndication/broadcasts/<int:broadcast_id>/withdraw/",
            views.broadcast_withdraw,
            name="syndication_broadcast_withdraw",
        ),
        path("syndication/shared/", views.shared_resources, name="syndication_shared"),
        path(
            "syndication/shared/<str:kind>/<int:object_id>/",
            views.share_toggle,
            name="syndication_share_toggle",
        ),
    ]


def _site_kind():
    site = Website.objects.current()
    return site.kind if site else None


class PortalCuratorMenuItem(MenuItem):
    def is_shown(self, request):
        return _site_kind() == Website.Kind.PORTAL and rules.can_curate(request.user)


class SiteMenuItem(MenuItem):
    def is_shown(self, request):
        return _site_kind() is not None


def _menu():
    return Menu(
        items=[
            PortalCuratorMenuItem(
                "报送收件箱", reverse("syndication_inbox"), icon_name="tray-from-left", order=100
            ),
            PortalCuratorMenuItem(
                "栏目共建订阅", reverse("syndication_subscriptions"), icon_name="list-ul", order=200
            ),
            PortalCuratorMenuItem(
                "信息下发记录",
                reverse("syndication_pushdowns"),
                icon_name="tray-from-right",
                order=300,
            ),
            PortalCuratorMenuItem(
                "紧急广播", reverse("syndication_broadcasts"), icon_name="warning", order=400
            ),
            SiteMenuItem(
                "报送与转载", reverse("syndication_report"), icon_name="doc-full", order=500
            ),
            SiteMenuItem(
                "共享资源",
                reverse("syndication_shared"),
                icon_name="folder-open-inverse",
                order=600,
            ),
        ]
    )


@hooks.register("register_admin_menu_item")
def menu_item():
    return SubmenuMenuItem("信息共享", _menu(), icon_name="globe", name="syndication", order=350)


def _page_buttons(page, user, priority):
    kind = _site_kind()
    if kind is None:
        return
    specific_class = page.specific_class
    if specific_class is None:
        return
    if (
        issubclass(specific_class, ArticlePage)
        and not issubclass(specific_class, SyndicatedPage)
        and page.live
    ):
        if kind == Website.Kind.PORTAL:
            if rules.can_curate(user):
                yield Button(
                    "下发到各网站",
                    reverse("syndication_push_down", args=[page.pk]),
                    icon_name="tray-from-right",
                    priority=priority,
                )
        elif page.permissions_for_user(user).can_publish():
            yield Button(
                "报送门户",
                reverse("syndication_offer_page", args=[page.pk]),
                icon_name="tray-from-left",
                priority=priority,
            )
    elif (
        issubclass(specific_class, ColumnPage)
        and kind != Website.Kind.PORTAL
        and page.permissions_for_user(user).can_publish()
    ):
        yield Button(
            "栏目报送设置",
            reverse("syndication_report") + "#columns",
            icon_name="cog",
            priority=priority,
        )


@hooks.register("register_page_header_buttons")
def header_buttons(page, user, view_name=None, next_url=None):
    yield from _page_buttons(page, user, priority=80)


@hooks.register("register_page_listing_more_buttons")
def listing_buttons(page, user, next_url=None):
    yield from _page_buttons(page, user, priority=70)


# --- "发布并报送门户": offering is part of the publish flow, not a hidden menu entry (F1) ------

OFFER_PARAMETER = "offer_to_portal"


class PublishAndOfferMenuItem(ActionMenuItem):
    """In the editor's action menu, next to 发布: publish and offer the page to the portal in
    one step (the button publishes like 发布; the hooks below make the offer)."""

    label = "发布并报送门户"
    name = "action-publish"  # the edit and create views publish on this name
    icon_name = "tray-from-left"
    template_name = "syndication/admin/publish_and_offer_menu_item.html"

    def is_shown(self, context):
        if _site_kind() in (None, Website.Kind.PORTAL):
            return False
        if context["view"] == "create":
            parent = context["parent_page"]
            model = context.get("page_class") or getattr(
                context.get("page"), "specific_class", None
            )
            if model is not None and not _offerable_class(model):
                return False
            return parent.permissions_for_user(context["request"].user).can_publish_subpage()
        if context["view"] != "edit" or context.get("locked_for_user"):
            return False
        page = context["page"]
        return (
            _offerable_class(page.specific_class)
            and self.get_user_page_permissions_tester(context).can_publish()
        )

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["offer_parameter"] = OFFER_PARAMETER
        return context


def _created_class(request):
    """The page type of the create view (its URL names it)."""
    kwargs = getattr(request.resolver_match, "kwargs", {}) or {}
    try:
        return apps.get_model(kwargs["content_type_app_name"], kwargs["content_type_model_name"])
    except (KeyError, LookupError):
        return None


def _offerable_class(model) -> bool:
    return (
        model is not None
        and issubclass(model, ArticlePage)
        and not issubclass(model, SyndicatedPage)
    )


@hooks.register("register_page_action_menu_item")
def publish_and_offer_menu_item():
    return PublishAndOfferMenuItem(order=25)  # right after 发布 (order 20)


@hooks.register("after_create_page")
@hooks.register("after_edit_page")
def offer_after_publish(request, page):
    if request.method != "POST" or request.GET.get(OFFER_PARAMETER) != "1":
        return None
    site = Website.objects.current()
    if site is None or site.kind == Website.Kind.PORTAL:
        return None
    page = page.specific
    if (
        not _offerable_class(type(page))
        or not page.permissions_for_user(request.user).can_publish()
    ):
        return None
    page.refresh_from_db()
    try:
        if page.live:
            offers.offer_page(site, page, request.user)
            messages.success(request, f"“{page.title}”已发布并报送门户网站，等待门户编审采用。")
        else:  # scheduled: the rule makes the offer when it goes live
            offers.remember_offer(site, page, request.user)
            messages.success(request, f"“{page.title}”将在发布后自动报送门户网站。")
    except SyndicationError as exc:
        messages.error(request, f"报送门户未成功：{exc}")
    return None


@hooks.register(TODO_HOOK)
def inbox_todo(request):
    """我的待办 on the portal: offers waiting in the curator's inbox."""
    site = Website.objects.current()
    if site is None or site.kind != Website.Kind.PORTAL or not rules.can_curate(request.user):
        return []
    pending = offers.inbox(site)
    count = pending.count()
    if not count:
        return []
    items = [
        (offer.item.title, reverse("syndication_inbox"), f"{offer.source.short_name}报送")
        for offer in pending[:5]
    ]
    return [Todo("报送收件箱待处理", count, reverse("syndication_inbox"), items)]
