"""V6: public pages pass axe-core's WCAG 2.1 A/AA rules in a real browser."""

import datetime
import json
from pathlib import Path

import pytest
from django_tenants.utils import schema_context

from tenants import services
from tests.sites.presentation.factories import make_language_versions, remove_language_versions

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def new_page(browser):
    """Pages whose context lets the test inject axe-core past the sites' CSP (which forbids
    inline scripts, as it should: tests/security checks it). The page itself is unchanged."""
    contexts = []

    def make():
        context = browser.new_context(locale="zh-CN", bypass_csp=True)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def axe_violations(page):
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"][:3]],
        }
        for v in result["violations"]
    ]


@pytest.fixture(scope="module")
def article_path(live_port):
    with schema_context("alpha"):
        from sites.core.models import ArticlePage, ColumnPage

        column = ColumnPage.objects.get(slug="tzgg")
        page = ArticlePage(
            title="关于2026年冬季供暖期安全用热的温馨提示",
            slug="a11y-heating-notice",
            date=datetime.date(2026, 11, 20),
            source="甲区住房和城乡建设局",
            summary="提醒居民安全用热。",
            body=[
                ("heading", {"text": "一、注意事项", "level": "h2"}),
                ("paragraph", "<p>请居民朋友不要私自改装供暖设施。</p>"),
                (
                    "notice",
                    {"tone": "warning", "title": "温馨提示", "text": "发现漏水请及时报修。"},
                ),
                (
                    "table",
                    {
                        "caption": "报修电话",
                        "source_note": "区住建局",
                        "table": {"data": [["片区", "电话"], ["城区", "0473-0000000"]]},
                    },
                ),
            ],
        )
        if not ArticlePage.objects.filter(slug=page.slug).exists():
            column.add_child(instance=page)
            page.save_revision().publish()
    return "/tzgg/a11y-heating-notice/"


def _publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page.url


@pytest.fixture(scope="module")
def page_type_paths(live_port, article_path):
    """One page of every type the platform serves, on alpha (made once, committed)."""
    with schema_context("alpha"):
        from wagtail.models import Page

        from sites.core.models import ColumnPage
        from sites.disclosure.models import (
            CataloguePage,
            Department,
            DisclosureArticlePage,
            EmergencyInformationPage,
            LeaderProfilePage,
            OrganisationPage,
            PolicyDocumentPage,
            PolicyInterpretationPage,
            StatisticsReleasePage,
            TopicCategory,
            TopicPage,
        )
        from sites.syndicated.models import SyndicatedPage

        existing = Page.objects.filter(slug__startswith="a11y-t-").specific()
        if existing.exists():
            paths = {p.slug.removeprefix("a11y-t-"): p.url for p in existing}
        else:
            col = {c.slug: c for c in ColumnPage.objects.all()}
            common = {
                "topic_category": TopicCategory.objects.get(name="综合政务"),
                "department": Department.objects.order_by("pk").first(),
                "date": datetime.date(2026, 11, 2),
            }
            document = PolicyDocumentPage(
                title="关于加强冬季城市道路管理的通知",
                slug="a11y-t-document",
                issuing_body="甲区人民政府",
                document_number="甲政发〔2026〕88号",
                date_written=datetime.date(2026, 10, 30),
                genre="notice",
                body=[("paragraph", "<p>各街道办事处：现将有关事项通知如下。</p>")],
                **common,
            )
            paths = {"document": _publish(col["zcwj"], document)}
            pages = {
                "disclosure_article": (
                    "gzdt",
                    DisclosureArticlePage(title="甲区召开安全生产工作会议", genre="news", **common),
                ),
                "interpretation": (
                    "zcjd",
                    PolicyInterpretationPage(
                        title="《关于加强冬季城市道路管理的通知》解读",
                        genre="interpretation",
                        interpreted_document=document,
                        **common,
                    ),
                ),
                "statistics": (
                    "zwgk",
                    StatisticsReleasePage(
                        title="2026年三季度经济运行情况",
                        genre="statistics",
                        period="2026年1—3季度",
                        datasets=[
                            (
                                "dataset",
                                {
                                    "caption": "主要经济指标增速",
                                    "unit": "%",
                                    "source_note": "区统计局",
                                    "rows": [
                                        {"label": "地区生产总值", "value": "5.6"},
                                        {"label": "进出口总额", "value": "-3.1"},
                                    ],
                                },
                            )
                        ],
                        **common,
                    ),
                ),
                "leader": (
                    "zwgk",
                    LeaderProfilePage(
                        title="区长 王某某",
                        genre="profile",
                        person_name="王某某",
                        position="区长",
                        responsibilities="主持区政府全面工作。",
                        **common,
                    ),
                ),
                "organisation": (
                    "zwgk",
                    OrganisationPage(
                        title="甲区人民政府办公室",
                        genre="profile",
                        functions="<p>负责区政府日常运转。</p>",
                        internal_units="秘书科\n综合科",
                        phone="0473-1234567",
                        **common,
                    ),
                ),
                "emergency": (
                    "tzgg",
                    EmergencyInformationPage(
                        title="关于强降雨天气的紧急通知",
                        genre="emergency",
                        level="3",
                        event_kind="natural",
                        occurred_at=datetime.datetime(2026, 11, 1, 8, tzinfo=datetime.UTC),
                        public_guidance="减少外出。",
                        **common,
                    ),
                ),
                "syndicated": (
                    "gzdt",
                    SyndicatedPage(
                        title="市政府召开常务会议",
                        date=datetime.date(2026, 11, 3),
                        source="乌海市人民政府",
                        syndication_key="a11y:copy",
                        source_site_name="乌海市人民政府",
                        source_url="https://www.example.gov.cn/gzdt/1/",
                        body_html="<p>会议研究部署冬季供暖工作。</p>",
                        origin=SyndicatedPage.Origin.SUBSCRIPTION,
                    ),
                ),
            }
            for name, (column, page) in pages.items():
                page.slug = f"a11y-t-{name}"
                paths[name] = _publish(col[column], page)
            topic = TopicPage(title="优化营商环境", slug="a11y-t-topic", intro="专题介绍")
            col["zwgk"].add_child(instance=topic)
            topic.items.create(page_id=document.pk, sort_order=0)
            topic.save_revision().publish()
            paths["topic"] = topic.url
        paths["catalogue"] = CataloguePage.objects.get().url
    return paths


# Every page type a visitor can reach (V6). Other areas add theirs here (services, interaction).
PAGE_TYPES = {
    "home": "/",
    "column": "/tzgg/",
    "article": None,  # made by the article_path fixture
    "document": None,
    "disclosure_article": None,
    "interpretation": None,
    "statistics": None,
    "leader": None,
    "organisation": None,
    "emergency": None,
    "catalogue": None,
    "topic": None,
    "syndicated": None,
    "search": "/search/?q=%E4%BE%9B%E6%9A%96",
    "site_map": "/wzdt/",
    "contact": "/lxwm/",
    "zh_hant_home": "/zh-hant/",
    "zh_hant_article": None,
    "case_query": "/banjian/",  # federation.casework: status by number + query code
    "not_found": "/no-such-page/",
}


@pytest.mark.skipif(
    not AXE.exists(), reason="axe-core not installed: run `npm install` (make test does)"
)
@pytest.mark.parametrize("path_name", list(PAGE_TYPES))
def test_public_pages_have_no_wcag_violations(
    new_page, site_url, article_path, page_type_paths, path_name
):
    alpha = services.get_site("alpha")
    path = PAGE_TYPES[path_name] or {
        "article": article_path,
        "zh_hant_article": "/zh-hant" + article_path,
        **page_type_paths,
    }.get(path_name)
    page = new_page()
    response = page.goto(site_url(alpha, path))
    assert response.status == (404 if path_name == "not_found" else 200), path
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)
    # …and in the elder-friendly mode (适老化): larger type, its own colours.
    page.evaluate("document.documentElement.classList.add('elder-mode')")
    violations = axe_violations(page)
    assert violations == [], "长者模式: " + json.dumps(violations, ensure_ascii=False, indent=1)


@pytest.mark.skipif(
    not AXE.exists(), reason="axe-core not installed: run `npm install` (make test does)"
)
def test_status_pages_have_no_wcag_violations(new_page, site_url):
    page = new_page()
    page.goto(site_url("nosuchsite.localhost"))
    assert axe_violations(page) == []
    page.goto(site_url("console.localhost", "/login/"))
    assert axe_violations(page) == []


@pytest.fixture(scope="module")
def service_item_paths(live_port, portal_schema):
    """The hall on the portal, a department's item in it (the guide from the library), the
    item's own page on the department's site, and its apply form."""
    from federation.library.models import LibraryItem
    from tests.sites.services.factories import make_item

    with schema_context("beta"):
        from sites.services.models import ServiceItemPage

        page = ServiceItemPage.objects.filter(slug="a11y-service").first()
        if page is None:
            page = make_item(
                title="道路货物运输经营许可",
                slug="a11y-service",
                materials=("道路货物运输经营申请表", "驾驶人员从业资格证"),
                themes=["交通出行"],
                life_events=["就业创业"],
                parallel_sites=["alpha"],
            )
    item = LibraryItem.objects.get(site__schema_name="beta", page_id=page.pk)
    return {
        "hall": (portal_schema, "/wsbs/"),
        "item": (portal_schema, f"/wsbs/item/{item.pk}/"),
        "apply": (portal_schema, f"/wsbs/item/{item.pk}/apply/"),
        "department_item": ("beta", "/wsbs/a11y-service/"),
    }


@pytest.mark.skipif(
    not AXE.exists(), reason="axe-core not installed: run `npm install` (make test does)"
)
@pytest.mark.parametrize("path_name", ["hall", "item", "apply", "department_item"])
def test_hall_pages_have_no_wcag_violations(new_page, site_url, service_item_paths, path_name):
    schema, path = service_item_paths[path_name]
    page = new_page()
    page.goto(site_url(services.get_site(schema), path))
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)


@pytest.fixture(scope="module")
def interaction_paths(live_port):
    """One published page of each interaction page type on alpha (issue 15), made once."""
    from django.utils import timezone
    from wagtail.rich_text import RichText

    with schema_context("alpha"):
        from sites.core.models import ColumnPage
        from sites.interaction.models import (
            ConsultationPage,
            FaqPage,
            InterviewGuest,
            InterviewPage,
            MessageBoardPage,
            SurveyPage,
            SurveyQuestion,
        )

        column = ColumnPage.objects.get(slug="hdjl")
        now = timezone.now()
        survey = SurveyPage(
            title="满意度调查",
            slug="a11y-survey",
            opens_at=now - datetime.timedelta(days=1),
            closes_at=now + datetime.timedelta(days=7),
        )
        for i, (kind, choices) in enumerate(
            [("single", "是\n否"), ("multiple", "甲\n乙"), ("rating", ""), ("text", "")]
        ):
            survey.questions.add(
                SurveyQuestion(kind=kind, text=f"第{i + 1}题", choices=choices, sort_order=i)
            )
        interview = InterviewPage(
            title="在线访谈",
            slug="a11y-interview",
            summary="摘要",
            starts_at=now - datetime.timedelta(hours=1),
            ends_at=now + datetime.timedelta(hours=1),
        )
        interview.guests.add(InterviewGuest(name="王明", role="主任"))
        pages = [
            MessageBoardPage(title="留言板", slug="a11y-board", intro="请留言"),
            survey,
            interview,
            ConsultationPage(title="在线咨询", slug="a11y-consult"),
            FaqPage(
                title="社保热点解答",
                slug="a11y-faq",
                topic="社保",
                items=[("item", {"question": "问？", "answer": RichText("<p>答。</p>")})],
            ),
        ]
        for page in pages:
            if (
                not ColumnPage.objects.filter(slug=page.slug).exists()
                and not column.get_children().filter(slug=page.slug).exists()
            ):
                column.add_child(instance=page)
                page.save_revision().publish()
    return {
        "board": "/hdjl/a11y-board/",
        "board_write": "/hdjl/a11y-board/write/",
        "survey": "/hdjl/a11y-survey/",
        "interview": "/hdjl/a11y-interview/",
        "interview_ask": "/hdjl/a11y-interview/ask/",
        "consultation": "/hdjl/a11y-consult/",
        "faq": "/hdjl/a11y-faq/",
        "mailboxes": "/xinxiang/",
        "mailbox": "/xinxiang/ldxx/",
        "letter_write": "/xinxiang/ldxx/write/",
        "zhaocuo": "/zhaocuo/?url=/tzgg/",
        "ysqgk": "/ysqgk/",
    }


@pytest.mark.skipif(
    not AXE.exists(), reason="axe-core not installed: run `npm install` (make test does)"
)
@pytest.mark.parametrize(
    "name",
    [
        "board",
        "board_write",
        "survey",
        "interview",
        "interview_ask",
        "consultation",
        "faq",
        "mailboxes",
        "mailbox",
        "letter_write",
        "zhaocuo",
        "ysqgk",
    ],
)
def test_interaction_pages_have_no_wcag_violations(new_page, site_url, interaction_paths, name):
    page = new_page()
    page.goto(site_url(services.get_site("alpha"), interaction_paths[name]))
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)


@pytest.fixture(scope="module")
def language_version_paths(live_port):
    """alpha with its English and Mongolian versions for these tests only (the registry entry is
    restored after: other journeys walk alpha's header without the language switch)."""
    alpha = services.get_site("alpha")
    before = list(alpha.languages or [])
    paths = make_language_versions(alpha)
    yield {
        "en_home": "/en/",
        "mn_home": "/mn/",
        "en_article": paths["en"],
        "mn_article": paths["mn"],
    }
    remove_language_versions(alpha, before)


@pytest.mark.skipif(
    not AXE.exists(), reason="axe-core not installed: run `npm install` (make test does)"
)
@pytest.mark.parametrize("path_name", ["en_home", "mn_home", "en_article", "mn_article"])
def test_the_language_versions_have_no_wcag_violations(
    new_page, site_url, language_version_paths, path_name
):
    """V5 + V6: the English and the vertical Mongolian pages, with their translated labels."""
    page = new_page()
    response = page.goto(site_url(services.get_site("alpha"), language_version_paths[path_name]))
    assert response.status == 200
    assert page.evaluate("document.documentElement.lang") == path_name[:2]
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)
    page.evaluate("document.documentElement.classList.add('elder-mode')")
    violations = axe_violations(page)
    assert violations == [], "长者模式: " + json.dumps(violations, ensure_ascii=False, indent=1)
