"""Consultation and hot questions (X3): answered in the admin, public only when allowed; the
FAQ page enters the library (and so the search across sites) under its topic."""

import pytest
from django.test import Client

from sites.interaction.models import Consultation
from tests.clients import admin_client

from . import helpers

pytestmark = pytest.mark.django_db


def test_a_question_is_answered_in_the_admin_and_published_when_allowed(alpha, beta, in_site):
    host = alpha.primary_domain
    with in_site(alpha):
        page = helpers.consultation()
        url = page.url
    data = {"subject": "公积金提取", "content": "离职后多久能提取？", "contact": "13700000000"}
    assert "已提交" in Client().post(f"{url}ask/", data, HTTP_HOST=host).content.decode()
    with in_site(alpha):
        item = Consultation.objects.get(subject="公积金提取")
    assert "公积金提取" not in Client().get(url, HTTP_HOST=host).content.decode()
    assert admin_client(beta).get(f"/admin/interaction/consultations/{item.pk}/").status_code == 404
    admin = admin_client(alpha)
    admin.post(f"/admin/interaction/consultations/{item.pk}/", {"answer": "离职半年后可提取。"})
    html = Client().get(url, HTTP_HOST=host).content.decode()
    assert "公积金提取" not in html  # answered, not made public
    admin.post(
        f"/admin/interaction/consultations/{item.pk}/",
        {"answer": "离职半年后可提取。", "public": "on"},
    )
    html = Client().get(url, HTTP_HOST=host).content.decode()
    assert "公积金提取" in html and "离职半年后可提取。" in html and "13700000000" not in html


def test_a_faq_page_is_a_library_item_filed_under_its_topic(alpha, in_site, committed):
    from federation.library.services import item_for_page

    with in_site(alpha), committed():
        page = helpers.faq("社保", [("社保卡丢了怎么办？", "携带身份证到社保大厅补办。")])
        url = page.url
    item = item_for_page(alpha, page)
    assert item.item_type == "interaction" and item.category == "热点解答·社保"
    assert "社保卡丢了怎么办" in item.text and "补办" in item.text
    assert item.url.endswith(url)
    html = Client().get(url, HTTP_HOST=alpha.primary_domain)
    assert html.status_code == 200 and "社保卡丢了怎么办" in html.content.decode()
