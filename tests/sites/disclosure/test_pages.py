"""What a visitor sees on item pages: the metadata table, links, marks, charts."""

import datetime
import re

from django.test import Client
from wagtail.models import Page

from sites.disclosure.models import (
    EmergencyInformationPage,
    LeaderProfilePage,
    OrganisationPage,
    StatisticsReleasePage,
    TopicPage,
)
from tests.sites.disclosure.factories import (
    catalogue_defaults,
    column,
    make_article,
    make_document,
    make_interpretation,
)


def get(site, url):
    response = Client(HTTP_HOST=site.primary_domain).get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_document_page_shows_the_metadata_table_and_its_interpretations(in_alpha):
    doc = make_document(title="甲区城市绿化管理办法", document_number="甲政发〔2025〕7号")
    make_interpretation(doc, title="一图读懂城市绿化管理办法")
    make_interpretation(doc, title="尚在起草的解读", publish=False)
    html = get(in_alpha, doc.url)
    table = html.split('class="disclosure-meta"', 1)[1].split("</table>", 1)[0]
    for text in (
        doc.index_number,
        "综合政务",
        "甲政发〔2025〕7号",
        "甲区人民政府",
        "2025年5月20日",
        "2025年6月1日",
        "主动公开",
        "长期公开",
        "有效",
    ):
        assert text in table, text
    assert html.index('class="disclosure-meta"') < html.index('class="article__body"')
    assert "一图读懂城市绿化管理办法" in html and "尚在起草的解读" not in html


def test_interpretation_links_to_its_document(in_alpha):
    doc = make_document(title="关于促进民营经济发展的若干措施")
    jd = make_interpretation(doc)
    html = get(in_alpha, jd.url)
    assert f'href="{doc.url}"' in html and "解读文件" in html


def test_repealed_document_is_marked_on_its_page_and_in_lists(in_alpha):
    new = make_document(title="新规定", date_written=datetime.date(2025, 5, 1))
    old = make_document(
        title="旧规定", date_written=datetime.date(2018, 5, 1), date=datetime.date(2018, 5, 9)
    )
    old.validity, old.superseded_by = "repealed", Page.objects.get(pk=new.pk)
    old.save_revision().publish()
    html = get(in_alpha, old.url)
    assert "本文件已废止" in html and f'href="{new.url}"' in html and "废止文件" in html
    listing = get(in_alpha, column("zcwj").url)
    row = re.search(r"<li>.*?旧规定.*?</li>", listing, re.S).group(0)
    assert "已废止" in row
    new_row = re.search(r"<li><a [^>]*>新规定</a>.*?</li>", listing, re.S).group(0)
    assert "已废止" not in new_row


def test_statistics_release_shows_a_table_and_an_accessible_chart(in_alpha):
    page = column("zwgk").add_child(
        instance=StatisticsReleasePage(
            **catalogue_defaults(
                title="2025年一季度经济运行情况",
                slug="stat-q1",
                genre="statistics",
                period="2025年一季度",
                datasets=[
                    (
                        "dataset",
                        {
                            "caption": "主要经济指标增速",
                            "unit": "%",
                            "source_note": "区统计局",
                            "rows": [
                                {"label": "地区生产总值", "value": "5.6"},
                                {"label": "工业增加值", "value": "7.2"},
                                {"label": "进出口总额", "value": "-3.1"},
                            ],
                        },
                    )
                ],
            )
        )
    )
    page.save_revision().publish()
    html = get(in_alpha, page.url)
    assert "<table" in html and '<th scope="row">工业增加值</th><td class="num">7.2</td>' in html
    svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'role="img"' in svg and "aria-labelledby" in svg
    assert "地区生产总值：5.6%" in svg and "进出口总额：-3.1%" in svg
    assert svg.count("<rect") == 3 and "statistics__bar--negative" in svg
    assert "http" not in svg and "<script" not in html.split("<main", 1)[1]


def test_profile_organisation_emergency_and_topic_pages_render(in_alpha):
    zwgk = column("zwgk")
    leader = zwgk.add_child(
        instance=LeaderProfilePage(
            **catalogue_defaults(
                title="区长 王某某",
                slug="leader",
                genre="profile",
                person_name="王某某",
                position="区长",
                responsibilities="主持区政府全面工作。",
            )
        )
    )
    org = zwgk.add_child(
        instance=OrganisationPage(
            **catalogue_defaults(
                title="甲区人民政府办公室",
                slug="org",
                genre="profile",
                functions="<p>负责区政府日常运转。</p>",
                internal_units="秘书科\n综合科",
                phone="0473-1234567",
            )
        )
    )
    alert = column("tzgg").add_child(
        instance=EmergencyInformationPage(
            **catalogue_defaults(
                title="关于强降雨天气的紧急通知",
                slug="rain",
                genre="emergency",
                level="3",
                event_kind="natural",
                occurred_at=datetime.datetime(2025, 5, 31, 8, tzinfo=datetime.UTC),
                public_guidance="减少外出。",
            )
        )
    )
    doc = make_document(title="专题文件")
    topic = column("zwgk").add_child(
        instance=TopicPage(title="优化营商环境", slug="yshj", live=False, intro="专题介绍")
    )
    topic.items.create(page_id=doc.pk, sort_order=0)
    for page in (leader, org, alert, topic):
        page.save_revision().publish()
    assert "主持区政府全面工作" in get(in_alpha, leader.url)
    assert "秘书科" in get(in_alpha, org.url)
    emergency = get(in_alpha, alert.url)
    assert "较大（Ⅲ级）" in emergency and "减少外出" in emergency
    assert "专题文件" in get(in_alpha, topic.url)


def test_items_appear_in_their_column_like_articles(in_alpha):
    item = make_article(title="甲区开展防汛演练")
    assert "甲区开展防汛演练" in get(in_alpha, column("gzdt").url)
    assert item.url.startswith("/gzdt/")
