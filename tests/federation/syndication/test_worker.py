"""Syndication on a real Celery worker (Redis database 11), over committed data.

The test process publishes and decides the way editors do; the worker runs the library's
task and syndication's deliveries in each site's schema. Nothing here runs tasks in-process.
"""

import time
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from federation.library import services as library_services
from federation.library.models import LibraryItem, OutboxEvent
from federation.syndication import deliveries, offers, subscriptions
from federation.syndication.models import Audience, Delivery, Subscription, SyndicationOffer
from sites.syndicated.models import SyndicatedPage
from tenants import services as tenant_services
from tests.factories import make_article
from tests.worker import REDIS_HOST, REDIS_PORT, celery_worker, sending_to

pytestmark = pytest.mark.worker
REDIS_DB = 11
DEAD_BROKER = f"redis://{REDIS_HOST}:1/{REDIS_DB}"  # nothing listens on port 1


def wait_for(check, timeout=30, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        connection.set_schema_to_public()
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def title(text):
    return f"{text}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def broker(portal_schema, django_db_blocker):
    import redis

    redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB).flushdb()  # our own database only
    with django_db_blocker.unblock(), celery_worker(redis_db=REDIS_DB, queue="celery") as url:
        yield url


@pytest.fixture
def world(broker, portal_schema, django_db_blocker):
    """Committed data, tasks sent to the real broker; the sites alpha, beta and the portal."""
    with django_db_blocker.unblock(), sending_to(broker):
        connection.set_schema_to_public()
        yield {
            "alpha": tenant_services.get_site("alpha"),
            "beta": tenant_services.get_site("beta"),
            "portal": tenant_services.get_site(portal_schema),
        }
        connection.set_schema_to_public()


def item_of(website, page, timeout=30):
    key = f"{website.schema_name}:{page.translation_key}"
    return wait_for(
        lambda: LibraryItem.objects.filter(item_key=key, withdrawn=False).first(),
        timeout,
        f"library item {key}",
    )


def live_copy(website, item, timeout=30, check=lambda copy: True):
    def find():
        with schema_context(website.schema_name):
            copy = SyndicatedPage.objects.filter(syndication_key=item.item_key, live=True).first()
            return copy if copy is not None and check(copy) else None

    return wait_for(find, timeout, f"a live copy of {item.item_key} on {website.schema_name}")


def copy_count(website, item):
    with schema_context(website.schema_name):
        return SyndicatedPage.objects.filter(syndication_key=item.item_key).count()


def test_offer_accept_update_and_withdraw_on_the_worker(world):
    alpha, portal = world["alpha"], world["portal"]
    page = make_article(alpha, title("甲区开展消防安全检查"), "检查覆盖全部商场。")
    with schema_context("alpha"):
        offers.offer_page(alpha, page)  # the library may not have the item yet: a rule waits
    item = item_of(alpha, page)
    offer = wait_for(
        lambda: SyndicationOffer.objects.filter(item=item, target=portal).first(),
        what="the offer in the portal's inbox",
    )
    assert offer in offers.inbox(portal)
    offers.accept_offer(offer, "yaowen")
    copy = live_copy(portal, item)
    assert copy.source_site_name == alpha.legal_name

    with schema_context("alpha"):
        page.title += "（更新）"
        page.save_revision().publish()
    live_copy(portal, item, check=lambda c: c.title.endswith("（更新）"))
    assert copy_count(portal, item) == 1

    with schema_context("alpha"):
        page.unpublish()
    wait_for(
        lambda: Delivery.objects.filter(item=item, status=Delivery.Status.WITHDRAWN).exists(),
        what="the copy withdrawn",
    )
    with schema_context(portal.schema_name):
        assert not SyndicatedPage.objects.get(syndication_key=item.item_key).live


def test_subscription_and_push_down_on_the_worker(world):
    alpha, beta, portal = world["alpha"], world["beta"], world["portal"]
    sub = Subscription.objects.create(
        name=title("乙局动态"),
        target=portal,
        column_slug="yaowen",
        audience=Audience.CHOSEN,
        item_types=["news"],
    )
    sub.sources.set([beta])
    try:
        page = make_article(beta, title("乙局召开业务培训会"), "正文", column="bmdt")
        live_copy(portal, item_of(beta, page))
        assert not Delivery.objects.filter(item__site=beta, target=alpha).exists()
    finally:
        sub.delete()  # committed: later tests must not inherit it

    notice = make_article(portal, title("关于开展安全生产大检查的通知"), "各区县：", column="tzgg")
    item = item_of(portal, notice)
    subscriptions.push_down(item, audience=Audience.ALL_DISTRICTS, column_slug="tzgg")
    copy = live_copy(alpha, item)
    assert copy.mandatory and copy.locked
    assert copy_count(beta, item) == 0


def test_duplicate_deliveries_make_one_copy(world):
    from federation.library.tasks import process_outbox_event
    from federation.syndication.tasks import deliver

    alpha, portal = world["alpha"], world["portal"]
    page = make_article(alpha, title("重复投递"), "正文")
    item = item_of(alpha, page)
    delivery = deliveries.ensure_delivery(item, portal, "yaowen", Delivery.Origin.OFFER)
    live_copy(portal, item)
    # The same delivery and the same library event, sent again several times (a redelivered
    # message, a sweep racing the first task).
    with schema_context(portal.schema_name):
        for _ in range(3):
            deliver.apply_async(args=[delivery.pk], retry=False)
    event = OutboxEvent.objects.filter(item_key=item.item_key).latest("version")
    OutboxEvent.objects.filter(pk=event.pk).update(processed_at=None)
    with schema_context("alpha"):
        process_outbox_event.apply_async(args=[event.pk], retry=False)
    wait_for(
        lambda: Delivery.objects.get(pk=delivery.pk).attempts >= 4, what="the duplicates to run"
    )
    wait_for(
        lambda: OutboxEvent.objects.get(pk=event.pk).processed_at, what="the event re-processed"
    )
    assert copy_count(portal, item) == 1
    assert Delivery.objects.filter(item=item).count() == 1


def test_a_dead_broker_loses_nothing(world, broker):
    """Publishing and deciding succeed while the broker is down; the sweeps deliver later."""
    alpha, portal = world["alpha"], world["portal"]
    with sending_to(DEAD_BROKER):
        started = time.monotonic()
        page = make_article(alpha, title("断网期间发布"), "正文")  # must not raise
        with schema_context("alpha"):
            assert offers.offer_page(alpha, page) is None
        assert time.monotonic() - started < 15
    key = f"alpha:{page.translation_key}"
    assert OutboxEvent.objects.filter(item_key=key, processed_at__isnull=True).exists()
    assert not LibraryItem.objects.filter(item_key=key).exists()

    # The broker is back: the library's sweep re-sends, the worker projects and offers.
    library_services.sweep_outbox(older_than=timedelta(0))
    item = item_of(alpha, page)
    offer = wait_for(lambda: SyndicationOffer.objects.filter(item=item).first(), what="the offer")

    with sending_to(DEAD_BROKER):
        offers.accept_offer(offer, "yaowen")  # the deliver task cannot be sent
    delivery = Delivery.objects.get(item=item, target=portal)
    assert delivery.status == Delivery.Status.PENDING and copy_count(portal, item) == 0
    assert deliveries.sweep_deliveries(older_than=timedelta(0)) >= 1
    live_copy(portal, item)


def test_suspending_the_source_withdraws_its_copies(world):
    alpha, portal = world["alpha"], world["portal"]
    page = make_article(alpha, title("暂停前的信息"), "正文")
    item = item_of(alpha, page)
    deliveries.ensure_delivery(item, portal, "yaowen", Delivery.Origin.OFFER)
    live_copy(portal, item)
    tenant_services.set_status(alpha, "suspended")
    try:
        wait_for(
            lambda: Delivery.objects.filter(item=item, status=Delivery.Status.WITHDRAWN).exists(),
            what="the copy withdrawn after suspension",
        )
    finally:
        tenant_services.set_status(alpha, "active")
    with schema_context(portal.schema_name):
        assert not SyndicatedPage.objects.get(syndication_key=item.item_key).live
    # Active again: the library resyncs the site and the copy comes back.
    live_copy(portal, item, timeout=60)
