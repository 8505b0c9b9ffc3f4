"""Demo syndication for the demo city: call `seed()` once every site is seeded. Idempotent.

- the portal gets a column 区县动态 that gathers 工作动态 from all districts (栏目共建, automatic);
- departments' news waits in the portal curator's inbox (a subscription that needs review);
- two district notices are offered and accepted into the portal's 通知公告, one more waits;
- the portal's latest notice is pushed down, mandatory, to every district's 通知公告;
- one live emergency broadcast shows on every site.
"""

import logging

from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from federation.library import services as library
from federation.library.models import ItemType, LibraryItem
from sites.core.models import ColumnPage, HomePage
from tenants.models import Website

from . import broadcasts, offers, subscriptions
from .models import Audience, Broadcast, PushDown, Subscription, SyndicationOffer

log = logging.getLogger("jiyue.syndication")

DISTRICT_NEWS_COLUMN = ("qxdt", "区县动态")
BROADCAST_TITLE = "寒潮蓝色预警：请注意防寒保暖"
DEMO_USER = "demo"


class _DemoUser:
    is_authenticated = True

    def get_username(self):
        return DEMO_USER


def seed() -> dict:
    portal = Website.objects.portal()
    if portal is None:
        log.warning("syndication demo: no portal site, nothing seeded")
        return {}
    user = _DemoUser()
    _ensure_portal_column(portal)
    done = {
        "subscriptions": _subscriptions(portal),
        "offers": _offers(portal, user),
        "push_down": _push_down(portal, user),
        "broadcast": _broadcast(portal, user),
    }
    connection.set_schema_to_public()
    return done


def _ensure_portal_column(portal):
    slug, title = DISTRICT_NEWS_COLUMN
    with schema_context(portal.schema_name):
        if not ColumnPage.objects.filter(slug=slug).exists():
            home = HomePage.objects.get()
            home.add_child(
                instance=ColumnPage(
                    title=title,
                    slug=slug,
                    show_in_menus=True,
                    column_type=ColumnPage.ColumnType.NEWS,
                    intro="各区县政府网站的工作动态，自动汇聚。",
                )
            )


def _subscriptions(portal) -> int:
    specs = [
        {
            "name": "区县工作动态",
            "column_slug": DISTRICT_NEWS_COLUMN[0],
            "audience": Audience.ALL_DISTRICTS,
            "item_types": [ItemType.NEWS],
            "requires_review": False,
        },
        {
            "name": "部门动态（需审核）",
            "column_slug": "yaowen",
            "audience": Audience.ALL_DEPARTMENTS,
            "item_types": [ItemType.NEWS],
            "requires_review": True,
        },
    ]
    made = 0
    for spec in specs:
        sub, created = Subscription.objects.get_or_create(
            target=portal, name=spec["name"], defaults={**spec, "created_by": DEMO_USER}
        )
        if created:
            made += 1
            subscriptions.backfill_subscription(sub, limit=10)
    return made


def _offers(portal, user) -> int:
    accepted = 0
    districts = Website.objects.filter(
        kind=Website.Kind.DISTRICT, status=Website.Status.ACTIVE
    ).order_by("pk")
    notices = []
    for district in districts:
        item = (
            library.items(site=district)
            .filter(item_type=ItemType.NOTICE)
            .order_by("-published_at")
            .first()
        )
        if item is not None:
            notices.append(item)
    for n, item in enumerate(notices[:3]):
        offer = SyndicationOffer.objects.filter(item=item, target=portal).first()
        if offer is None:
            offer = offers.ensure_offer(item, portal, offered_by=DEMO_USER)
        if n < 2 and offer.status == SyndicationOffer.Status.PENDING:
            offers.accept_offer(offer, "tzgg", user)
            accepted += 1
    return accepted


def _push_down(portal, user) -> int:
    item = (
        library.items(site=portal)
        .filter(item_type=ItemType.NOTICE)
        .order_by("-published_at")
        .first()
    )
    if item is None or PushDown.objects.filter(item=item).exists():
        return 0
    record = subscriptions.push_down(
        item, audience=Audience.ALL_DISTRICTS, column_slug="tzgg", mandatory=True, user=user
    )
    return record.deliveries.count()


def _broadcast(portal, user) -> bool:
    if Broadcast.objects.live().filter(title=BROADCAST_TITLE).exists():
        return False
    notice = (
        LibraryItem.objects.filter(site=portal, withdrawn=False, item_type=ItemType.NOTICE)
        .order_by("-published_at")
        .first()
    )
    now = timezone.now()
    broadcasts.post_broadcast(
        title=BROADCAST_TITLE,
        text="受强冷空气影响，未来48小时全市气温下降8至10℃，请减少户外活动，注意燃气和用电安全。",
        link=notice.url if notice else f"http://{portal.primary_domain}/tzgg/",
        starts_at=now - timezone.timedelta(minutes=1),
        ends_at=now + timezone.timedelta(days=30),
        user=user,
        site=portal,
    )
    return True
