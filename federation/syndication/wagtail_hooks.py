"""Admin wiring: URLs, the 信息共享 menu, and page actions ("报送门户", "下发", column default).

The menu differs by site: the portal's curators get the inbox, subscriptions, push-downs and
broadcasts; every site gets its report and the shared resources. Items are hidden where they
do not apply, and the views refuse them too.
"""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.widgets import Button

from sites.core.models import ArticlePage, ColumnPage
from sites.core.todos import TODO_HOOK, Todo
from sites.syndicated.models import SyndicatedPage
from tenants.models import Website

from . import offers, rules, views


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
