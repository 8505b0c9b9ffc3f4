"""The public catalogue (政府信息公开目录): filters, pagination, repealed marks, isolation."""

import datetime
import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from sites.disclosure.models import CataloguePage, Department, TopicCategory
from tests.sites.disclosure.factories import column, make_article, make_document


def visit(site, path, **params):
    return Client(HTTP_HOST=site.primary_domain).get(path, params)


def catalogue_url():
    return CataloguePage.objects.get().url


def titles(response):
    return re.findall(r'<td><a href="[^"]+">([^<]+)</a>', response.content.decode())


def test_provisioning_put_a_catalogue_under_the_disclosure_column(in_alpha):
    catalogue = CataloguePage.objects.get()
    assert catalogue.get_parent().slug == "zwgk" and catalogue.live


def test_filters_by_category_genre_year_department_and_validity(in_alpha):
    finance = TopicCategory.objects.get(name="财政、金融、审计")
    other_dept = Department.objects.create(name="甲区财政局")
    make_document(
        title="财政资金管理办法",
        topic_category=finance,
        genre="measures",
        department=other_dept,
        date=datetime.date(2024, 3, 1),
        date_written=datetime.date(2024, 2, 1),
    )
    make_article(title="甲区召开全体会议", date=datetime.date(2025, 4, 1))
    new = make_document(title="新的管理办法", date=datetime.date(2025, 6, 1))
    old = make_document(
        title="旧的管理办法", date=datetime.date(2019, 1, 8), date_written=datetime.date(2019, 1, 2)
    )
    old.validity, old.superseded_by = "repealed", Page.objects.get(pk=new.pk)
    old.save_revision().publish()
    url = catalogue_url()

    everything = visit(in_alpha, url)
    assert everything.status_code == 200
    assert {"财政资金管理办法", "甲区召开全体会议", "新的管理办法", "旧的管理办法"} <= set(
        titles(everything)
    )
    assert titles(visit(in_alpha, url, category=finance.pk)) == ["财政资金管理办法"]
    assert titles(visit(in_alpha, url, genre="measures")) == ["财政资金管理办法"]
    assert titles(visit(in_alpha, url, department=other_dept.pk)) == ["财政资金管理办法"]
    assert set(titles(visit(in_alpha, url, year=2024))) == {"财政资金管理办法"}
    repealed = visit(in_alpha, url, validity="repealed")
    assert titles(repealed) == ["旧的管理办法"]
    assert "已废止" in repealed.content.decode()
    # each entry shows its index number and 文号
    page = everything.content.decode()
    assert old.index_number in page and old.document_number in page


def test_bad_filter_values_are_reported_not_a_server_error(in_alpha):
    make_article()
    for params in (
        {"year": "abcd"},
        {"category": "99999"},
        {"genre": "<script>"},
        {"page": "-3"},
        {"page": "zzz"},
        {"per_page": "100000"},
        {"validity": "x"},
    ):
        response = visit(in_alpha, catalogue_url(), **params)
        assert response.status_code == 200, params
        assert "<script>" not in response.content.decode().split("<main", 1)[1]
    assert "筛选条件有误" in visit(in_alpha, catalogue_url(), year="abcd").content.decode()


def test_pagination_keeps_the_filters(in_alpha):
    for i in range(23):
        make_article(
            title=f"分页测试{i:02d}", date=datetime.date(2023, 1, 1) + datetime.timedelta(days=i)
        )
    response = visit(in_alpha, catalogue_url(), year=2023)
    body = response.content.decode()
    assert len(titles(response)) == 20 and "第 1 / 2 页" in body
    assert "?year=2023&amp;page=2" in body
    second = visit(in_alpha, catalogue_url(), year=2023, page=2)
    assert titles(second) == ["分页测试02", "分页测试01", "分页测试00"]


def test_query_count_does_not_grow_with_the_page_size(in_alpha):
    for i in range(60):
        make_article(title=f"计数{i}")
    client = Client(HTTP_HOST=in_alpha.primary_domain)
    url = catalogue_url()
    client.get(url)  # warm caches that every page has (site root paths)
    counts = {}
    for size in (20, 50):
        with CaptureQueriesContext(connection) as queries:
            assert len(titles(client.get(url, {"per_page": size}))) == size
        counts[size] = len(queries)
    assert counts[20] == counts[50], counts


def test_drafts_and_unpublished_items_are_not_listed(in_alpha):
    make_article(title="尚未发布的草稿", publish=False)
    assert "尚未发布的草稿" not in visit(in_alpha, catalogue_url()).content.decode()


def test_site_b_never_lists_site_a_items(alpha, beta, in_site):
    with in_site(alpha):
        mine = make_document(title="甲区独有的规范性文件")
    with in_site(beta):
        other = make_article(parent=column("bmdt"), title="乙局自己的动态")
        beta_url = catalogue_url()
        body = visit(beta, beta_url).content.decode()
        assert "乙局自己的动态" in body
        assert "甲区独有的规范性文件" not in body and mine.index_number not in body
        # asking beta for alpha's item by path finds nothing
        assert visit(beta, mine.url_path.replace("/home", "", 1)).status_code == 404
    with in_site(alpha):
        assert "乙局自己的动态" not in visit(alpha, catalogue_url()).content.decode()
        assert other.index_number.split("/")[0] == beta.site_code
