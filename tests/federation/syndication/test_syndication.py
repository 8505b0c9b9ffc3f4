"""Syndication in-process (no broker): offers, subscriptions, push-down, changes following.

Every flow runs the way production does, minus the broker: the library's after-commit task,
the library_item_changed receiver, and the deliver task in the receiving site's schema.
"""

import pytest
from django_tenants.utils import schema_context
from wagtail.models import PageViewRestriction

from federation.library.models import LibraryItem
from federation.syndication import deliveries, offers, rules, subscriptions
from federation.syndication.models import (
    Audience,
    Delivery,
    PushDown,
    Subscription,
    SyndicationOffer,
)
from federation.syndication.rules import SyndicationError
from sites.syndicated.models import SyndicatedPage
from tenants import services as tenant_services
from tests.clients import admin_client
from tests.factories import make_article, unique

pytestmark = pytest.mark.django_db


def item_of(website, page):
    return LibraryItem.objects.get(item_key=f"{website.schema_name}:{page.translation_key}")


def copies(website, item):
    with schema_context(website.schema_name):
        return list(SyndicatedPage.objects.filter(syndication_key=item.item_key))


def offer(website, page, committed):
    with committed(), schema_context(website.schema_name):
        return offers.offer_page(website, page)


# --- Rules ----------------------------------------------------------------------------------------


class FakeSite:
    def __init__(self, pk, kind):
        self.pk, self.kind = pk, kind


class FakeItem:
    def __init__(self, site, item_type="news", category="工作动态", withdrawn=False):
        self.site, self.site_id = site, site.pk
        self.item_type, self.category, self.withdrawn = item_type, category, withdrawn


def test_subscription_rules():
    district, department, portal_site = (
        FakeSite(1, "district"),
        FakeSite(2, "department"),
        FakeSite(3, "portal"),
    )
    sub = Subscription(
        target_id=3,
        audience=Audience.ALL_DISTRICTS,
        item_types=["news"],
        categories=["工作动态"],
        active=True,
    )
    assert rules.subscription_matches(sub, FakeItem(district))
    assert not rules.subscription_matches(sub, FakeItem(department))  # not in the audience
    assert not rules.subscription_matches(sub, FakeItem(district, item_type="notice"))
    assert not rules.subscription_matches(sub, FakeItem(district, category="通知公告"))
    assert not rules.subscription_matches(sub, FakeItem(district, withdrawn=True))
    assert not rules.subscription_matches(sub, FakeItem(portal_site))  # never its own items
    sub.active = False
    assert not rules.subscription_matches(sub, FakeItem(district))
    anything = Subscription(target_id=3, audience=Audience.CHOSEN, active=True)
    assert rules.subscription_matches(anything, FakeItem(department), source_ids=[2])
    assert not rules.subscription_matches(anything, FakeItem(district), source_ids=[2])


def test_push_down_audiences(alpha, beta, portal):
    assert set(rules.audience_sites(Audience.ALL_DISTRICTS, exclude=portal)) >= {alpha}
    assert beta not in rules.audience_sites(Audience.ALL_DISTRICTS, exclude=portal)
    assert list(rules.audience_sites(Audience.CHOSEN, [beta], exclude=portal)) == [beta]
    assert portal not in rules.audience_sites(Audience.ALL_SITES, exclude=portal)
    tenant_services.set_status(beta, "suspended")
    assert beta not in rules.audience_sites(Audience.ALL_SITES, exclude=portal)


# --- Offer → inbox → accept -------------------------------------------------------------------------


def test_offer_accept_makes_a_copy_with_provenance(alpha, portal, publish, committed):
    title = unique("甲区召开安全生产会议")
    page = publish(
        alpha, title, '会议要求<a href="/gzdt/">各部门</a>落实责任。', summary="安全生产"
    )
    made = offer(alpha, page, committed)
    assert made.status == SyndicationOffer.Status.PENDING
    inbox = list(offers.inbox(portal))
    assert made in inbox and made.source == alpha

    with committed():
        offers.accept_offer(made, "yaowen")
    item = item_of(alpha, page)
    [copy] = copies(portal, item)
    assert copy.live and copy.title == title and copy.date == page.date
    assert copy.source_site_name == alpha.legal_name and copy.source_url == item.url
    assert 'href="http://alpha.localhost/gzdt/"' in copy.body_html  # absolute to the source
    assert Delivery.objects.get(item=item, target=portal).status == Delivery.Status.DELIVERED
    # The copy is not a library item of its own: one item per original, platform-wide.
    assert not LibraryItem.objects.filter(site=portal, page_id=copy.pk).exists()
    with schema_context(portal.schema_name), pytest.raises(SyndicationError):
        offers.offer_page(portal, copy)

    response = admin_client(portal).get(f"/yaowen/{copy.slug}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<link rel="canonical" href="{item.url}">' in html
    assert f"来源：{alpha.legal_name}" in html and f'href="{item.url}"' in html
    # The portal's column lists the copy like its own articles.
    assert title in admin_client(portal).get("/yaowen/").content.decode()


def test_decline_reason_is_seen_by_the_offering_site_only(alpha, beta, portal, publish, committed):
    page = publish(alpha, unique("甲区一般性会议"), "正文")
    made = offer(alpha, page, committed)
    offers.decline_offer(made, "内容属区内事务，不宜在门户发布")
    assert not copies(portal, item_of(alpha, page))
    report = admin_client(alpha).get("/admin/syndication/").content.decode()
    assert "未采用" in report and "内容属区内事务" in report
    assert "内容属区内事务" not in admin_client(beta).get("/admin/syndication/").content.decode()
    with pytest.raises(SyndicationError):
        offers.decline_offer(made, "")  # no reason, no decline (and already decided)


def test_the_curator_accepts_and_declines_in_the_portal_admin(alpha, portal, publish, committed):
    page = publish(alpha, unique("甲区冬季供暖保障"), "正文")
    made = offer(alpha, page, committed)
    client = admin_client(portal)
    inbox = client.get("/admin/syndication/inbox/").content.decode()
    assert page.title in inbox and alpha.legal_name in inbox
    with committed():
        response = client.post(f"/admin/syndication/inbox/{made.pk}/accept/", {"column": "yaowen"})
    assert response.status_code == 302
    assert copies(portal, item_of(alpha, page))[0].live
    # A column the portal does not have is refused with a message, not a 500.
    other = offer(alpha, publish(alpha, unique("另一条"), "正文"), committed)
    response = client.post(
        f"/admin/syndication/inbox/{other.pk}/accept/", {"column": "nope"}, follow=True
    )
    assert response.status_code == 200 and "请选择本站已有的栏目" in response.content.decode()


def test_the_inbox_exists_only_on_the_portal(alpha, beta, portal):
    assert admin_client(alpha).get("/admin/syndication/inbox/").status_code == 404
    assert admin_client(beta).get("/admin/syndication/broadcasts/").status_code == 404
    assert admin_client(portal).get("/admin/syndication/inbox/").status_code == 200


def test_not_offered_drafts_and_restricted_never_reach_the_portal(
    alpha, beta, portal, publish, committed
):
    plain = publish(alpha, unique("未报送的信息"), "正文")
    with committed():
        draft = make_article(alpha, unique("草稿"), "正文", publish=False, live=False)
    with schema_context("alpha"), pytest.raises(SyndicationError):
        offers.offer_page(alpha, draft)
    restricted = publish(alpha, unique("受限信息"), "正文")
    with committed(), schema_context("alpha"):
        PageViewRestriction.objects.create(page=restricted, restriction_type="login")
    with schema_context("alpha"), pytest.raises(SyndicationError):
        offers.offer_page(alpha, restricted)
    assert not SyndicationOffer.objects.filter(
        item__site=alpha, item__page_id__in=[plain.pk, draft.pk, restricted.pk]
    ).exists()
    inbox = admin_client(portal).get("/admin/syndication/inbox/").content.decode()
    assert plain.title not in inbox and draft.title not in inbox
    for site in (portal, beta):
        with schema_context(site.schema_name):
            assert not SyndicatedPage.objects.filter(
                title__in=[plain.title, draft.title, restricted.title]
            ).exists()
    assert plain.title not in admin_client(beta).get("/admin/syndication/").content.decode()


def test_a_column_that_offers_everything(alpha, portal, publish, committed):
    from sites.core.models import ColumnPage

    with schema_context("alpha"):
        column = ColumnPage.objects.get(slug="tzgg")
        offers.set_column_offers_everything(alpha, column, True)
    page = publish(alpha, unique("关于停水的通知"), "正文", column="tzgg")
    assert SyndicationOffer.objects.get(item=item_of(alpha, page)).status == "pending"
    other = publish(alpha, unique("工作动态不报送"), "正文", column="gzdt")
    assert not SyndicationOffer.objects.filter(item=item_of(alpha, other)).exists()


def test_offer_before_the_library_synced_is_kept(
    alpha, portal, django_capture_on_commit_callbacks, committed
):
    # The library task has not run yet (e.g. the broker is slow): the offer waits as a rule.
    with django_capture_on_commit_callbacks(execute=False) as pending:
        page = make_article(alpha, unique("尚未同步"), "正文")
        with schema_context("alpha"):
            assert offers.offer_page(alpha, page) is None
    with committed():
        for callback in pending:
            callback()
    assert SyndicationOffer.objects.get(item=item_of(alpha, page)).status == "pending"


# --- Subscriptions ----------------------------------------------------------------------------------


def test_subscription_delivers_automatically_or_waits_for_review(alpha, beta, portal, publish):
    auto = Subscription.objects.create(
        name="区县工作动态",
        target=portal,
        column_slug="yaowen",
        audience=Audience.ALL_DISTRICTS,
        item_types=["news"],
    )
    review = Subscription.objects.create(
        name="部门通知",
        target=portal,
        column_slug="tzgg",
        audience=Audience.ALL_DEPARTMENTS,
        requires_review=True,
    )
    news = publish(alpha, unique("甲区工作动态"), "正文")
    notice_from_district = publish(alpha, unique("甲区通知"), "正文", column="tzgg")
    department = publish(beta, unique("乙局通知"), "正文", column="tzgg")
    item = item_of(alpha, news)
    assert copies(portal, item)[0].live
    assert Delivery.objects.get(item=item).subscription == auto
    assert not Delivery.objects.filter(item=item_of(alpha, notice_from_district)).exists()
    waiting = SyndicationOffer.objects.get(item=item_of(beta, department))
    assert waiting.subscription == review and waiting.status == "pending"
    assert not copies(portal, item_of(beta, department))


def test_a_new_subscription_backfills_recent_items(alpha, portal, publish):
    page = publish(alpha, unique("订阅之前的信息"), "正文")
    sub = Subscription.objects.create(
        name="回填",
        target=portal,
        column_slug="yaowen",
        audience=Audience.CHOSEN,
        categories=["工作动态"],
    )
    sub.sources.set([alpha])
    assert subscriptions.backfill_subscription(sub) >= 1
    assert Delivery.objects.filter(item=item_of(alpha, page), target=portal).exists()


# --- Changes follow ---------------------------------------------------------------------------------


@pytest.fixture
def accepted(alpha, portal, publish, committed):
    def make(title="将被修改的信息"):
        page = publish(alpha, unique(title), "原正文")
        with committed():
            offers.accept_offer(offer(alpha, page, committed), "yaowen")
        return page

    return make


def test_an_edit_at_the_source_updates_every_copy_once(alpha, portal, accepted, committed):
    page = accepted()
    with committed(), schema_context("alpha"):
        page.title = page.title + "（更新）"
        page.body = [("paragraph", "<p>新正文</p>")]
        page.save_revision().publish()
    item = item_of(alpha, page)
    [copy] = copies(portal, item)
    assert copy.title.endswith("（更新）") and "新正文" in copy.body_html
    assert copy.library_version == item.version
    delivery = Delivery.objects.get(item=item)
    with schema_context(portal.schema_name):
        assert deliveries.deliver(delivery.pk) == "up to date"  # a duplicate delivery
        revisions = copy.revisions.count()
        Delivery.objects.filter(pk=delivery.pk).update(delivered_version=0)
        assert deliveries.deliver(delivery.pk) == "unchanged"  # redelivered after a crash
        assert copy.revisions.count() == revisions  # no new revision for the same content
    assert len(copies(portal, item)) == 1
    assert Delivery.objects.get(pk=delivery.pk).delivered_version == item.version


@pytest.mark.parametrize("how", ["unpublish", "delete", "suspend"])
def test_withdrawal_at_the_source_withdraws_every_copy(alpha, portal, accepted, committed, how):
    page = accepted("将被撤回的信息")
    item = item_of(alpha, page)
    with committed():
        if how == "suspend":
            tenant_services.set_status(alpha, "suspended")
        else:
            with schema_context("alpha"):
                getattr(page, how)()
    [copy] = copies(portal, item)
    assert not copy.live
    assert Delivery.objects.get(item=item).status == Delivery.Status.WITHDRAWN
    assert copy.title not in admin_client(portal).get("/yaowen/").content.decode()


def test_republishing_after_withdrawal_brings_the_copy_back(alpha, portal, accepted, committed):
    page = accepted("撤回后重新发布")
    with committed(), schema_context("alpha"):
        page.unpublish()
    with committed(), schema_context("alpha"):
        page.save_revision().publish()
    assert copies(portal, item_of(alpha, page))[0].live


# --- Push-down ----------------------------------------------------------------------------------


def test_push_down_to_all_districts_is_mandatory_and_read_only(
    alpha, beta, portal, publish, committed
):
    notice = publish(
        portal, unique("关于做好冬季防火工作的通知"), "各区县要做好防火。", column="tzgg"
    )
    item = item_of(portal, notice)
    with committed():
        record = subscriptions.push_down(item, audience=Audience.ALL_DISTRICTS, column_slug="tzgg")
    assert alpha in [d.target for d in record.deliveries.all()]
    assert not record.deliveries.filter(target=beta).exists()  # a department, not a district
    [copy] = copies(alpha, item)
    assert copy.live and copy.locked and copy.mandatory
    assert not copies(beta, item)
    page_html = admin_client(alpha).get(f"/tzgg/{copy.slug}/").content.decode()
    assert f"来源：{portal.legal_name}" in page_html

    client = admin_client(alpha)
    response = client.get(f"/admin/pages/{copy.pk}/edit/", follow=True)
    assert "必须转载的信息，本站只读，不能修改" in response.content.decode()
    response = client.post(f"/admin/pages/{copy.pk}/delete/", follow=True)
    assert "不能删除" in response.content.decode()
    assert copies(alpha, item)[0].live
    delivery = Delivery.objects.get(item=item, target=alpha)
    with pytest.raises(SyndicationError):
        deliveries.decline_delivery(delivery, "不需要")


def test_optional_push_down_can_be_declined_and_stays_declined(beta, portal, publish, committed):
    notice = publish(portal, unique("供参考的通知"), "正文", column="tzgg")
    item = item_of(portal, notice)
    with committed():
        subscriptions.push_down(
            item, audience=Audience.CHOSEN, sites=[beta], column_slug="tzgg", mandatory=False
        )
    delivery = Delivery.objects.get(item=item, target=beta)
    copy = copies(beta, item)[0]
    assert copy.live and not copy.locked
    # Deleting by hand is refused (the copy would return with the next update): decline it.
    response = admin_client(beta).post(f"/admin/pages/{copy.pk}/delete/", follow=True)
    assert "请在“信息共享 › 报送与转载”中退回" in response.content.decode()
    with committed():
        response = admin_client(beta).post(
            f"/admin/syndication/received/{delivery.pk}/decline/", {"reason": "本局不适用"}
        )
    assert response.status_code == 302
    assert not copies(beta, item)[0].live
    with committed(), schema_context(portal.schema_name):
        notice.title += "（修订）"
        notice.save_revision().publish()
    assert not copies(beta, item)[0].live  # an update does not undo the decision
    assert Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.DECLINED


def test_push_down_into_a_missing_column_fails_visibly(alpha, portal, publish, committed):
    notice = publish(portal, unique("栏目不存在"), "正文", column="tzgg")
    with committed():
        subscriptions.push_down(
            item_of(portal, notice),
            audience=Audience.CHOSEN,
            sites=[alpha],
            column_slug="no-such-column",
        )
    delivery = Delivery.objects.get(item__page_id=notice.pk, target=alpha)
    assert delivery.status == Delivery.Status.FAILED and "no-such-column" in delivery.last_error
    assert "no-such-column" in admin_client(alpha).get("/admin/syndication/").content.decode()


def test_push_down_admin_form(alpha, portal, publish, committed):
    notice = publish(portal, unique("通过后台下发"), "正文", column="tzgg")
    client = admin_client(portal)
    assert client.get(f"/admin/syndication/push/{notice.pk}/").status_code == 200
    with committed():
        response = client.post(
            f"/admin/syndication/push/{notice.pk}/",
            {"audience": "districts", "column_slug": "tzgg", "mandatory": "on"},
        )
    assert response.status_code == 302
    assert PushDown.objects.filter(item__page_id=notice.pk, item__site=portal).exists()
    assert copies(alpha, item_of(portal, notice))[0].live
    # Bad input is a form error, not a 500.
    response = client.post(
        f"/admin/syndication/push/{notice.pk}/", {"audience": "chosen", "column_slug": "tzgg"}
    )
    assert response.status_code == 200 and "请选择至少一个接收网站" in response.content.decode()


# --- The sweep ----------------------------------------------------------------------------------


def test_the_sweep_delivers_what_was_never_sent(
    alpha, portal, publish, committed, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    page = publish(alpha, unique("任务丢失的投递"), "正文")
    made = offer(alpha, page, committed)
    with django_capture_on_commit_callbacks(execute=False):  # the deliver task is lost
        offers.accept_offer(made, "yaowen")
    item = item_of(alpha, page)
    assert not copies(portal, item)
    assert deliveries.sweep_deliveries(older_than=timedelta(0)) >= 1
    assert copies(portal, item)[0].live
    assert deliveries.sweep_deliveries(older_than=timedelta(0)) == 0  # nothing left behind


def test_a_frozen_site_receives_nothing_until_it_is_unfrozen(alpha, portal, publish, committed):
    from datetime import timedelta

    from django.db import connection

    from tenants import services as lifecycle

    page = publish(alpha, unique("冻结期间的投递"), "正文")
    made = offer(alpha, page, committed)
    lifecycle.freeze(portal, "应急处置")
    with committed():
        offers.accept_offer(made, "yaowen")
    item = item_of(alpha, page)
    assert not copies(portal, item)  # refused like any other write
    delivery = Delivery.objects.get(item=item)
    assert delivery.status == Delivery.Status.PENDING and delivery.attempts == 0
    assert delivery.last_error == deliveries.FROZEN_NOTE  # shown in the syndication report
    assert deliveries.sweep_deliveries(older_than=timedelta(0)) >= 1
    assert not copies(portal, item)  # the sweep sends it again, and it waits again
    lifecycle.unfreeze(portal)
    connection.set_schema_to_public()
    deliveries.sweep_deliveries(older_than=timedelta(0))
    assert copies(portal, item)[0].live
    assert Delivery.objects.get(pk=delivery.pk).last_error == ""


# --- The demo -------------------------------------------------------------------------------------


def emergency_item_and_leader(website):
    """What the demo's banner needs on a district: an emergency item (the model of its own) and
    the leader who releases it."""
    import datetime

    from django.utils import timezone

    from sites.core.models import ColumnPage
    from sites.disclosure.models import Department, EmergencyInformationPage, TopicCategory
    from sites.disclosure.workflows import LEADER
    from tests.factories import make_user

    with schema_context(website.schema_name):
        page = EmergencyInformationPage(
            title=unique("甲区防汛紧急通知"),
            slug=unique("tf"),
            date=timezone.localdate(),
            level="4",
            event_kind="natural",
            occurred_at=timezone.now() - datetime.timedelta(days=1),
            topic_category=TopicCategory.objects.get(name="综合政务"),
            department=Department.objects.order_by("pk").first(),
            genre="emergency",
        )
        ColumnPage.objects.get(slug="tzgg").add_child(instance=page)
    make_user(website, "leader", role=LEADER)


def test_demo_seed_is_idempotent(alpha, portal, publish, committed):
    from federation.syndication import demo
    from federation.syndication.models import Broadcast

    publish(alpha, unique("甲区工作动态（演示）"), "正文")
    publish(alpha, unique("甲区通知（演示）"), "正文", column="tzgg")
    publish(portal, unique("市政府通知（演示）"), "正文", column="tzgg")
    emergency_item_and_leader(alpha)  # the demo's banner comes from a district's emergency item
    with committed():  # seed_demo runs in autocommit: deliveries run as they are made
        first = demo.seed()
    assert first["subscriptions"] == 2 and first["broadcast"] and first["push_down"] >= 1
    assert first["offers"] >= 1
    counts = (
        Subscription.objects.count(),
        SyndicationOffer.objects.count(),
        PushDown.objects.count(),
        Delivery.objects.count(),
        Broadcast.objects.count(),
    )
    with committed():
        second = demo.seed()
    assert second == {"subscriptions": 0, "offers": 0, "push_down": 0, "broadcast": False}
    assert counts == (
        Subscription.objects.count(),
        SyndicationOffer.objects.count(),
        PushDown.objects.count(),
        Delivery.objects.count(),
        Broadcast.objects.count(),
    )
    with schema_context(alpha.schema_name):
        assert SyndicatedPage.objects.filter(live=True, mandatory=True).exists()  # the push-down
