"""A resync of pages that did not change writes nothing downstream: the items keep their
versions, no consumer step is written, no body rendered, no delivery task run. A page that did
change, even only in what its copies show (a link in the body, the site's name), still reaches
its copies."""

import pytest
from django_tenants.utils import schema_context

from federation.library import services
from federation.library.models import ConsumerStep, LibraryItem, OutboxEvent
from federation.syndication.models import Audience, Delivery, RenderedBody, Subscription
from sites.core.models import ArticlePage
from sites.syndicated.models import SyndicatedPage
from tests.factories import unique

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscribed(alpha, portal):
    """The portal takes every district's news into 要闻, without review."""
    return Subscription.objects.create(
        name=unique("区县工作动态"),
        target=portal,
        column_slug="yaowen",
        audience=Audience.ALL_DISTRICTS,
        item_types=["news"],
    )


def item_of(website, page):
    return LibraryItem.objects.get(item_key=f"{website.schema_name}:{page.translation_key}")


def copy_of(portal, item):
    with schema_context(portal.schema_name):
        return SyndicatedPage.objects.get(syndication_key=item.item_key)


def downstream(item):
    """Everything a change of the item writes after the item itself."""
    return (
        sorted(
            ConsumerStep.objects.filter(item=item).values_list(
                "consumer", "version", "done_at", "attempts"
            )
        ),
        list(
            Delivery.objects.filter(item=item).values_list(
                "attempts", "last_attempt_at", "delivered_version", "updated_at"
            )
        ),
        list(RenderedBody.objects.filter(item=item).values_list("version", "rendered_at")),
    )


def resync(website, committed):
    """resync_site as an operator runs it: the rows recorded, their task run after commit."""
    with committed():
        count = services.resync_site(website)
    assert not OutboxEvent.objects.filter(site=website, processed_at=None).exists()
    return count


def test_an_unchanged_resync_writes_nothing_and_sends_no_delivery(
    alpha, portal, subscribed, publish, committed
):
    page = publish(alpha, unique("不变的工作动态"), "各单位要做好冬季供暖保障工作。")
    item = item_of(alpha, page)
    assert copy_of(portal, item).live
    before = LibraryItem.objects.filter(pk=item.pk).values().get()
    downstream_before = downstream(item)
    assert downstream_before[1] and downstream_before[2]  # a delivery and its rendered body

    assert resync(alpha, committed) >= 1

    # The item as it was (version, digest, time of projection) and nothing after it: no step
    # reset, no body rendered, no delivery task run (a run counts an attempt).
    assert LibraryItem.objects.filter(pk=item.pk).values().get() == before
    assert downstream(item) == downstream_before


def test_a_body_changed_only_in_a_link_reaches_the_copy(
    alpha, portal, subscribed, publish, committed
):
    page = publish(alpha, unique("改了链接的通知"), "详见通知")
    item = item_of(alpha, page)
    assert "/new-address/" not in copy_of(portal, item).body_html
    # Written in bulk, as an import does: the text a search sees is the same, the body is not.
    with schema_context(alpha.schema_name):
        body = [("paragraph", '<p><a href="/new-address/">详见通知</a></p>')]
        ArticlePage.objects.filter(pk=page.pk).update(body=body)

    resync(alpha, committed)

    changed = item_of(alpha, page)
    assert changed.text == item.text and changed.version > item.version
    copy = copy_of(portal, changed)
    assert "/new-address/" in copy.body_html and copy.library_version == changed.version


def test_a_body_written_in_bulk_without_block_ids_is_unchanged_at_the_next_resync(
    alpha, publish, committed
):
    """Blocks with no id (as an import writes them) get a random one whenever Wagtail
    serializes them: the digest reads the body as stored, so a second resync writes nothing."""
    page = publish(alpha, unique("批量导入的正文"), "正文")
    with schema_context(alpha.schema_name):
        body = [{"type": "paragraph", "value": "<p>导入的正文，没有块标识。</p>"}]
        ArticlePage.objects.filter(pk=page.pk).update(body=body)
    resync(alpha, committed)
    imported = LibraryItem.objects.filter(item_key=item_of(alpha, page).item_key).values().get()
    assert "没有块标识" in imported["text"]

    resync(alpha, committed)

    assert LibraryItem.objects.filter(pk=imported["id"]).values().get() == imported


def test_a_renamed_site_reaches_its_copies_at_the_next_resync(
    alpha, portal, subscribed, publish, committed
):
    page = publish(alpha, unique("来源改名"), "正文")
    item = item_of(alpha, page)
    alpha.legal_name = unique("甲区新名称")  # the test's transaction is rolled back after it
    alpha.save(update_fields=["legal_name"])

    resync(alpha, committed)

    assert copy_of(portal, item).source_site_name == alpha.legal_name[:100]


def test_an_unchanged_withdrawn_item_is_left_alone(alpha, publish, committed):
    page = publish(alpha, unique("已撤回的信息"), "正文")
    with schema_context(alpha.schema_name), committed():
        page.unpublish()
    item = item_of(alpha, page)
    assert item.withdrawn
    before = LibraryItem.objects.filter(pk=item.pk).values().get()
    steps = downstream(item)[0]

    resync(alpha, committed)

    assert LibraryItem.objects.filter(pk=item.pk).values().get() == before
    assert downstream(item)[0] == steps
