"""Demo syndication for the demo city: call `seed()` once every site is seeded. Idempotent.

- the portal gets a column 区县动态 that gathers 工作动态 from all districts (栏目共建, automatic);
- departments' news waits in the portal curator's inbox (a subscription that needs review);
- two district notices are offered and accepted into the portal's 通知公告, one more waits;
- the portal's latest notice is pushed down, mandatory, to every district's 通知公告;
- a district's emergency item (黄色预警) goes live by the fast path (its leader approves), asks
  for the city-wide banner, and the portal approves it: the yellow banner shows on every site.
"""

import logging

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from federation.library import services as library
from federation.library.models import ItemType
from sites.core.models import ColumnPage, HomePage
from sites.disclosure import emergency
from sites.disclosure.models import EmergencyInformationPage
from tenants.models import Website

from . import broadcasts, offers, subscriptions
from .models import (
    Audience,
    Broadcast,
    PushDown,
    Subscription,
    SyndicationOffer,
)

log = logging.getLogger("jiyue.syndication")

DISTRICT_NEWS_COLUMN = ("qxdt", "区县动态")
EMERGENCY_TITLE = "关于强降雨黄色预警的紧急通知"
EMERGENCY_SLUG = "tf-demo-fast"
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
            home = HomePage.of_site()
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
    if SyndicationOffer.objects.filter(target=portal, offered_by=DEMO_USER).exists():
        return 0  # made on an earlier run: a district's newest notice may have changed since
    accepted = 0
    districts = Website.objects.filter(
        kind=Website.Kind.DISTRICT, status=Website.Status.ACTIVE
    ).order_by("pk")
    notices = []
    for district in districts:
        item = (
            library.items(site=district)
            .filter(item_type=ItemType.NOTICE)
            .order_by("-published_at", "-pk")  # ties: bulk-seeded items share a time
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
        .order_by("-published_at", "-pk")  # ties: bulk-seeded items share a time
        .first()
    )
    if item is None or PushDown.objects.filter(item=item).exists():
        return 0
    record = subscriptions.push_down(
        item, audience=Audience.ALL_DISTRICTS, column_slug="tzgg", mandatory=True, user=user
    )
    return record.deliveries.count()


def _broadcast(portal, user) -> bool:
    """The first district's leader releases an emergency item (较大, 黄色预警) by the fast path,
    asking for the banner; the portal approves it."""
    if Broadcast.objects.live().filter(title=EMERGENCY_TITLE).exists():
        return False
    district = (
        Website.objects.filter(kind=Website.Kind.DISTRICT, status=Website.Status.ACTIVE)
        .order_by("pk")
        .first()
    )
    if district is None:
        return False
    with schema_context(district.schema_name):
        page = _emergency_item()
        if page is None:
            return False
        leader = get_user_model().objects.filter(username="leader").first()
        if leader is None:
            return False
        if not page.live:
            emergency.fast_release(
                page, leader, "强降雨将至，需立即告知群众（演示）", want_banner=True
            )
            page.refresh_from_db()
        link = page.full_url
    connection.set_schema_to_public()
    # The release asked for it (after commit); asked here again in case seed_demo runs in a
    # transaction, where that is still to come (one request per item either way).
    req = broadcasts.request_banner(
        site=district,
        page_key=f"{district.schema_name}:{page.pk}",
        title=page.title,
        text=page.summary,
        link=link,
        level="yellow",
        user=leader,
    )
    broadcasts.approve_request(req, user=user, site=portal, hours=24 * 30)
    return True


def _emergency_item():
    existing = EmergencyInformationPage.objects.filter(slug=EMERGENCY_SLUG).first()
    if existing is not None:
        return existing
    model = EmergencyInformationPage.objects.exclude(slug=EMERGENCY_SLUG).order_by("pk").first()
    if model is None:
        return None
    now = timezone.now()
    page = EmergencyInformationPage(
        title=EMERGENCY_TITLE,
        slug=EMERGENCY_SLUG,
        date=timezone.localdate(),
        level=EmergencyInformationPage.Level.LARGE,
        event_kind=EmergencyInformationPage.EventKind.NATURAL,
        occurred_at=now - timezone.timedelta(hours=1),
        summary="预计今夜至明日有大到暴雨，局地大暴雨，请远离河道、低洼地带，减少外出。",
        public_guidance="减少不必要的外出，远离河道、低洼地带，注意用电安全。",
        topic_category_id=model.topic_category_id,
        department_id=model.department_id,
        genre=model.genre,
        live=False,
    )
    model.get_parent().add_child(instance=page)
    page.save_revision()
    return page
