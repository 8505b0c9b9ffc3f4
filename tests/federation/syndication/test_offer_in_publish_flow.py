"""Offering to the portal is part of the publish flow, district news lands in 区县动态 by
default, and accepting an offer moves a copy a subscription made (issue 13 item 9, F1)."""

import pytest
from django_tenants.utils import schema_context
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from federation.library.models import LibraryItem
from federation.syndication import offers
from federation.syndication.models import (
    Audience,
    Delivery,
    Subscription,
    SyndicationOffer,
)
from sites.core.models import ColumnPage, HomePage
from sites.syndicated.models import SyndicatedPage
from tests.clients import admin_client, site_client
from tests.factories import make_article, make_user, unique

pytestmark = pytest.mark.django_db


def item_of(website, page):
    return LibraryItem.objects.get(item_key=f"{website.schema_name}:{page.translation_key}")


def copy_of(portal, item):
    with schema_context(portal.schema_name):
        [copy] = SyndicatedPage.objects.filter(syndication_key=item.item_key)
        return copy, copy.get_parent().slug


def district_news_column(portal):
    with schema_context(portal.schema_name):
        if not ColumnPage.objects.filter(slug="qxdt").exists():
            HomePage.objects.get().add_child(instance=ColumnPage(title="区县动态", slug="qxdt"))


def article_form(page, **changes):
    values = {
        "title": page.title,
        "slug": page.slug,
        "date": page.date.isoformat(),
        "source": "",
        "summary": page.summary,
        "body": streamfield([]),
        "comments": inline_formset([]),
        "action-publish": "action-publish",
    }
    values.update(changes)
    return nested_form_data(values)


def test_accepting_an_offer_moves_the_copy_a_subscription_delivered(
    alpha, portal, publish, committed
):
    Subscription.objects.create(
        name="区县工作动态",
        target=portal,
        column_slug="yaowen",
        audience=Audience.ALL_DISTRICTS,
        item_types=["news"],
    )
    page = publish(alpha, unique("甲区工作动态"), "正文")
    item = item_of(alpha, page)
    copy, column = copy_of(portal, item)
    assert column == "yaowen"  # the subscription's column

    with committed(), schema_context(alpha.schema_name):
        made = offers.offer_page(alpha, page)
    with committed():
        offers.accept_offer(made, "tzgg")
    moved, column = copy_of(portal, item)
    assert column == "tzgg" and moved.pk == copy.pk and moved.live  # one copy, moved
    assert moved.origin == SyndicatedPage.Origin.OFFER
    delivery = Delivery.objects.get(item=item, target=portal)
    assert delivery.column_slug == "tzgg" and delivery.status == Delivery.Status.DELIVERED
    assert moved.title in admin_client(portal).get("/tzgg/").content.decode()
    assert moved.title not in admin_client(portal).get("/yaowen/").content.decode()


def test_district_news_is_offered_into_qu_xian_dong_tai_unless_the_curator_chooses(
    alpha, beta, portal, publish, committed
):
    district_news_column(portal)
    news = publish(alpha, unique("甲区召开现场会"), "正文")
    notice = publish(alpha, unique("甲区停水通知"), "正文", column="tzgg")
    department_news = publish(beta, unique("乙局工作动态"), "正文", column="bmdt")
    for website, page in ((alpha, news), (alpha, notice), (beta, department_news)):
        with committed(), schema_context(website.schema_name):
            offers.offer_page(website, page)
    html = admin_client(portal).get("/admin/syndication/inbox/").content.decode()

    def row(title):
        start = html.index(title)
        return html[start : html.index("</tr>", start)]

    assert '<option value="qxdt" selected>' in row(news.title)
    assert '<option value="qxdt" selected>' not in row(notice.title)
    assert '<option value="qxdt" selected>' not in row(department_news.title)
    # The curator may choose another column: it is accepted there.
    offer = SyndicationOffer.objects.get(item=item_of(alpha, news))
    with committed():
        response = admin_client(portal).post(
            f"/admin/syndication/inbox/{offer.pk}/accept/", {"column": "yaowen"}
        )
    assert response.status_code == 302
    assert copy_of(portal, item_of(alpha, news))[1] == "yaowen"


def test_a_district_webmaster_publishes_and_offers_from_the_edit_screen(alpha, portal, committed):
    page = make_article(alpha, unique("甲区冬季供暖保障工作"), publish=False)
    url = f"/admin/pages/{page.pk}/edit/"
    edit = admin_client(alpha).get(url).content.decode()
    assert "发布并报送门户" in edit and 'formaction="?offer_to_portal=1"' in edit
    with committed():
        response = admin_client(alpha).post(url + "?offer_to_portal=1", article_form(page))
    assert response.status_code == 302, response.content.decode()[-3000:]
    with schema_context(alpha.schema_name):
        page.refresh_from_db()
        assert page.live
    offer = SyndicationOffer.objects.get(item=item_of(alpha, page), target=portal)
    assert offer.status == SyndicationOffer.Status.PENDING
    assert page.title in admin_client(portal).get("/admin/syndication/inbox/").content.decode()

    # Publishing without it offers nothing; an editor (no publish right) is not offered the action.
    other = make_article(alpha, unique("甲区一般工作"), publish=False)
    with committed():
        admin_client(alpha).post(f"/admin/pages/{other.pk}/edit/", article_form(other))
    assert not SyndicationOffer.objects.filter(item__item_key__endswith=str(other.translation_key))
    editor = make_user(alpha, unique("ed"), role="编辑")
    as_editor = site_client(alpha, editor).get(f"/admin/pages/{other.pk}/edit/").content.decode()
    assert "发布并报送门户" not in as_editor
    # Not on the portal itself, nor on a column.
    with schema_context(alpha.schema_name):
        column_id = ColumnPage.objects.get(slug="gzdt").pk
    assert (
        "发布并报送门户"
        not in admin_client(alpha).get(f"/admin/pages/{column_id}/edit/").content.decode()
    )
