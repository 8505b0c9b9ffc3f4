"""Yearly disclosure report figures: admin page and CSV (I2)."""

import csv
import datetime
import io

from django.test import Client
from wagtail.models import Page

from sites.disclosure.models import TopicCategory
from tests.factories import PASSWORD
from tests.sites.disclosure.factories import make_article, make_document, make_user


def admin(site, username="webmaster", password=PASSWORD):
    client = Client(HTTP_HOST=site.primary_domain)
    assert client.login(username=username, password=password)
    return client


def test_report_counts_by_category_scope_genre_and_document_changes(in_alpha):
    finance = TopicCategory.objects.get(name="财政、金融、审计")
    make_article(date=datetime.date(2024, 2, 1), topic_category=finance, scope="on_request")
    make_article(date=datetime.date(2024, 3, 1))
    make_article(date=datetime.date(2023, 3, 1))
    make_article(date=datetime.date(2024, 3, 2), publish=False)  # a draft does not count
    new = make_document(date=datetime.date(2024, 5, 1), date_written=datetime.date(2024, 4, 1))
    old = make_document(date=datetime.date(2019, 5, 1), date_written=datetime.date(2019, 4, 1))
    old.validity, old.superseded_by = "repealed", Page.objects.get(pk=new.pk)
    old.save_revision().publish()

    response = admin(in_alpha).get("/admin/disclosure/report/", {"year": 2024, "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    figures = {(group, label): int(count) for _year, group, label, count in rows[1:]}
    assert figures[("合计", "公开信息总数")] == 3
    assert figures[("主题分类", "财政、金融、审计")] == 1 and figures[("主题分类", "综合政务")] == 2
    assert figures[("公开方式", "依申请公开")] == 1 and figures[("公开方式", "主动公开")] == 2
    assert figures[("体裁", "工作动态")] == 2 and figures[("体裁", "通知")] == 1
    assert figures[("政策文件", "制发")] == 1 and figures[("政策文件", "废止")] == 1
    page = admin(in_alpha).get("/admin/disclosure/report/", {"year": 2024})
    assert page.status_code == 200 and "财政、金融、审计" in page.content.decode()


def test_bad_year_is_explained(in_alpha):
    response = admin(in_alpha).get("/admin/disclosure/report/", {"year": "20x4"})
    assert response.status_code == 400 and "年份“20x4”无效" in response.content.decode()


def test_editors_cannot_see_the_report(in_alpha):
    make_user("t_report_editor", "编辑")
    client = admin(in_alpha, "t_report_editor", "Review-Pass-2026!")
    assert client.get("/admin/disclosure/report/").status_code in (302, 403)


def test_report_counts_only_this_sites_items(alpha, beta, in_site):
    with in_site(alpha):
        make_article(date=datetime.date(2022, 1, 5))
    with in_site(beta):
        rows = (
            admin(beta, password="Other-Staple-Lantern-7")
            .get("/admin/disclosure/report/", {"year": 2022, "format": "csv"})
            .content.decode("utf-8-sig")
        )
        assert "公开信息总数,0" in rows
