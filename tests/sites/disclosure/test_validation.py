"""Bad input is refused with a message that says what to fix; nothing published changes."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from wagtail.models import Page

from sites.disclosure.models import PolicyDocumentPage
from tests.factories import PASSWORD
from tests.sites.disclosure.factories import (
    column,
    edit_form,
    make_article,
    make_document,
    make_interpretation,
)


def refused(page) -> dict:
    with pytest.raises(ValidationError) as error:
        page.full_clean()
    return error.value.message_dict


def test_written_after_published_is_refused(in_alpha):
    doc = make_document(publish=False)
    doc.date_written, doc.date = datetime.date(2025, 7, 2), datetime.date(2025, 7, 1)
    message = refused(doc)["date_written"][0]
    assert "晚于发布日期" in message and "2025-07-02" in message


def test_duplicate_document_number_of_the_same_body_is_refused(in_alpha):
    first = make_document(document_number="甲政发〔2025〕12号")
    twin = make_document(publish=False)
    twin.document_number = "甲政发[2025] 12号"  # the same number, typed differently
    message = refused(twin)["document_number"][0]
    assert first.title in message and "文号" in message
    # the same number from another issuing body is a different document
    other = make_document(publish=False, document_number="甲政发〔2025〕12号", issuing_body="乙局")
    assert other.document_number == "甲政发〔2025〕12号"


def test_interpretation_must_point_at_a_document_and_not_itself(in_alpha):
    doc = make_document()
    jd = make_interpretation(doc, publish=False)
    jd.interpreted_document = Page.objects.get(pk=jd.pk)
    assert "不能指向自身" in refused(jd)["interpreted_document"][0]
    news = make_article()
    jd.interpreted_document = Page.objects.get(pk=news.pk)
    assert "不是政策文件" in refused(jd)["interpreted_document"][0]
    jd.interpreted_document = None
    assert "须选择" in refused(jd)["interpreted_document"][0]


def test_repeal_by_an_older_document_or_by_itself_is_refused(in_alpha):
    old = make_document(date_written=datetime.date(2020, 3, 1), date=datetime.date(2020, 3, 5))
    new = make_document(date_written=datetime.date(2025, 3, 1), date=datetime.date(2025, 3, 5))
    # an older document cannot repeal a newer one
    new.validity, new.superseded_by = "repealed", Page.objects.get(pk=old.pk)
    message = refused(new)["superseded_by"][0]
    assert "早于本文件" in message and old.title in message
    new.superseded_by = Page.objects.get(pk=new.pk)
    assert "自身" in refused(new)["superseded_by"][0]
    new.superseded_by = Page.objects.get(pk=make_article().pk)
    assert "不是政策文件" in refused(new)["superseded_by"][0]
    # the right way round is accepted, and the repeal date defaults to the repealer's date
    old.validity, old.superseded_by = "repealed", Page.objects.get(pk=new.pk)
    old.full_clean()
    assert old.validity_changed_on == new.date


def test_a_superseding_link_needs_a_matching_validity(in_alpha):
    old = make_document(date_written=datetime.date(2020, 3, 1), date=datetime.date(2020, 3, 5))
    new = make_document()
    old.superseded_by = Page.objects.get(pk=new.pk)
    old.validity = "in_force"
    assert "效力状态" in refused(old)["validity"][0]


def admin_client():
    client = Client(HTTP_HOST="alpha.localhost")
    assert client.login(username="webmaster", password=PASSWORD)
    return client


def test_a_refused_admin_edit_leaves_the_published_page_as_it_was(in_alpha, client=None):
    doc = make_document(title="关于规范停车收费的通知")
    revisions = doc.revisions.count()
    response = admin_client().post(
        f"/admin/pages/{doc.pk}/edit/",
        edit_form(doc, title="改过的标题", date_written="2026-01-01", date="2025-01-01"),
    )
    assert response.status_code == 200  # the form again, with the message
    assert "成文日期不能晚于发布日期" in response.content.decode()
    live = PolicyDocumentPage.objects.get(pk=doc.pk)
    assert live.title == "关于规范停车收费的通知" and live.revisions.count() == revisions


def test_the_index_number_field_is_locked_after_publishing(in_alpha):
    doc = make_document()
    response = admin_client().post(
        f"/admin/pages/{doc.pk}/edit/",
        edit_form(doc, index_number="HACK/2025-00001", summary="新摘要"),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    doc.refresh_from_db()
    assert doc.index_number != "HACK/2025-00001" and doc.summary == "新摘要"


def test_the_catalogue_column_accepts_every_type(in_alpha):
    from sites.disclosure import models as m

    zwgk = column("zwgk")
    for cls in (
        m.PolicyDocumentPage,
        m.PolicyInterpretationPage,
        m.StatisticsReleasePage,
        m.LeaderProfilePage,
        m.OrganisationPage,
        m.EmergencyInformationPage,
        m.DisclosureArticlePage,
        m.TopicPage,
    ):
        assert cls.can_create_at(zwgk), cls
    assert not m.DisclosureItem.can_create_at(zwgk)
