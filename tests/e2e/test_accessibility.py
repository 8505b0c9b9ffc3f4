"""V6: public pages pass axe-core's WCAG 2.1 A/AA rules in a real browser."""

import datetime
import json
from pathlib import Path

import pytest
from django_tenants.utils import schema_context

from tenants import services

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


@pytest.mark.skipif(
    not AXE.exists(), reason="axe-core not installed: run `npm install` (make test does)"
)
@pytest.mark.parametrize("path_name", ["home", "column", "article", "not_found", "case_query"])
def test_public_pages_have_no_wcag_violations(new_page, site_url, article_path, path_name):
    alpha = services.get_site("alpha")
    path = {
        "home": "/",
        "column": "/tzgg/",
        "article": article_path,
        "not_found": "/no-such-page/",
        "case_query": "/banjian/",  # federation.casework: status by number + query code
    }[path_name]
    page = new_page()
    page.goto(site_url(alpha, path))
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)


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
        "letter_query": "/xinxiang/query/",
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
        "letter_query",
        "zhaocuo",
        "ysqgk",
    ],
)
def test_interaction_pages_have_no_wcag_violations(new_page, site_url, interaction_paths, name):
    page = new_page()
    page.goto(site_url(services.get_site("alpha"), interaction_paths[name]))
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)
