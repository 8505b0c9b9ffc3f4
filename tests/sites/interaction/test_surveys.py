"""Surveys and solicitations (X5): one answer per browser, address limits, tallies and
charts, exports, the solicitation's feedback."""

import io
import re

import pytest
from django.test import Client
from openpyxl import load_workbook

from sites.interaction import services
from sites.interaction.models import SurveyAnswer, SurveyTally
from tests.clients import admin_client

from . import helpers

pytestmark = pytest.mark.django_db


def answers(page, single=1, multiple=(0, 2), rating=4, text="多设几个网点"):
    q = {question.kind: question.pk for question in page.questions.all()}
    data = {f"q{q['single']}": single, f"q{q['rating']}": rating - 1, f"q{q['text']}": text}
    data[f"q{q['multiple']}"] = list(multiple)
    return data


def test_one_answer_per_browser_and_a_stated_limit_per_address(alpha, in_site):
    host = alpha.primary_domain
    with in_site(alpha):
        page = helpers.survey(per_address_limit=2)
        url, data = page.url, answers(page)
    browser = Client()
    form = browser.get(url, HTTP_HOST=host).content.decode()
    assert "每个浏览器只能提交一次" in form and "同一网络地址最多提交 2 份" in form
    assert "已提交" in browser.post(url, data, HTTP_HOST=host).content.decode()
    # The same browser again: refused, and told why; nothing is counted twice.
    again = browser.post(url, data, HTTP_HOST=host).content.decode()
    assert "您已经提交过" in again
    assert "您已经提交过" in browser.get(url, HTTP_HOST=host).content.decode()
    # A second browser behind the same address may answer, a third may not.
    assert "已提交" in Client().post(url, data, HTTP_HOST=host).content.decode()
    third = Client().post(url, data, HTTP_HOST=host).content.decode()
    assert "同一网络地址最多提交 2 份，本地址已达上限" in third
    # A forged cookie is not a vote: it does not pass its signature.
    forged = Client(REMOTE_ADDR="10.9.9.9")
    forged.cookies[services.voter_cookie_name(page)] = "made-up"
    assert "已提交" in forged.post(url, data, HTTP_HOST=host).content.decode()
    with in_site(alpha):
        assert page.responses.count() == 3


def test_a_survey_takes_answers_only_while_open(alpha, in_site):
    host = alpha.primary_domain
    with in_site(alpha):
        upcoming = helpers.survey(opens=2, closes=5)
        closed = helpers.survey(opens=-5, closes=-1)
        urls = upcoming.url, closed.url
        data = answers(upcoming)
    html = Client().get(urls[0], HTTP_HOST=host).content.decode()
    assert "尚未开始" in html and "csrfmiddlewaretoken" not in html
    Client().post(urls[0], data, HTTP_HOST=host)
    Client().post(urls[1], data, HTTP_HOST=host)
    with in_site(alpha):
        assert upcoming.responses.count() == 0 and closed.responses.count() == 0


def test_bad_answers_are_refused_with_the_reason(alpha, in_site):
    host = alpha.primary_domain
    with in_site(alpha):
        page = helpers.survey()
        url, data = page.url, answers(page)
    data[next(k for k in data if isinstance(data[k], int) and data[k] == 1)] = 99
    html = Client().post(url, data, HTTP_HOST=host).content.decode()
    assert "选择一个有效的选项" in html or "有效" in html
    with in_site(alpha):
        assert page.responses.count() == 0


def test_the_summary_counts_and_draws_each_question(alpha, in_site):
    host = alpha.primary_domain
    with in_site(alpha):
        page = helpers.survey()
        url = page.url
        datas = [answers(page, single=s, rating=r) for s, r in [(0, 5), (1, 4), (1, 3)]]
    for i, data in enumerate(datas):
        Client(REMOTE_ADDR=f"10.0.0.{i + 1}").post(url, data, HTTP_HOST=host)
    with in_site(alpha):
        result = services.summary(page)
        before = sorted(
            SurveyTally.objects.filter(question__page=page).values_list(
                "question_id", "option", "count"
            )
        )
        services.recount(page)
        after = sorted(
            SurveyTally.objects.filter(question__page=page).values_list(
                "question_id", "option", "count"
            )
        )
    assert before == after
    assert result["total"] == 3
    single, multiple, rating, text = result["questions"]
    assert [o["count"] for o in single["options"]] == [1, 2, 0]
    assert [o["count"] for o in multiple["options"]] == [3, 0, 3]
    assert rating["mean"] == 4.0 and text["comments"] == 3
    html = admin_client(alpha).get(f"/admin/interaction/surveys/{page.pk}/").content.decode()
    assert html.count('<svg class="bar-chart"') == 3 and "18-60岁 2 票（66.7%）" in html
    assert "多设几个网点" in html


def test_exports_in_csv_and_xlsx(alpha, in_site):
    host = alpha.primary_domain
    with in_site(alpha):
        page = helpers.survey()
        url, data = page.url, answers(page, text='=HYPERLINK("http://evil")')
    Client().post(url, data, HTTP_HOST=host)
    admin = admin_client(alpha)
    csv_text = b"".join(
        admin.get(f"/admin/interaction/surveys/{page.pk}/csv/").streaming_content
    ).decode("utf-8-sig")
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("答卷编号,提交时间,您的年龄段") and len(lines) == 2
    assert "18-60岁" in lines[1] and "社保；户籍" in lines[1] and "4 分" in lines[1]
    assert "'=HYPERLINK" in lines[1]  # never a live formula in a spreadsheet
    response = admin.get(f"/admin/interaction/surveys/{page.pk}/xlsx/")
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(workbook["答卷"].iter_rows(values_only=True))
    assert rows[0][2] == "您的年龄段" and rows[1][2] == "18-60岁" and len(rows) == 2
    assert list(workbook["汇总"].iter_rows(values_only=True))[0] == ("答卷总数", 1)
    # Another site's admin cannot read this survey.
    from tests.clients import admin_client as other

    assert other(_beta()).get(f"/admin/interaction/surveys/{page.pk}/xlsx/").status_code == 404


def _beta():
    from tenants import services as tenant_services

    return tenant_services.get_site("beta")


def test_a_solicitation_publishes_its_feedback_after_closing(alpha, in_site, committed):
    host = alpha.primary_domain
    with in_site(alpha):
        page = helpers.survey(
            kind="solicitation",
            questions=[("text", "您对草案的意见", "", True)],
            draft=[("paragraph", "<p>第一条 为了规范停车管理……</p>")],
        )
        url = page.url
        question = page.questions.get()
    assert "第一条 为了规范停车管理" in Client().get(url, HTTP_HOST=host).content.decode()
    for i, text in enumerate(["建议增加夜间停车位", "建议收费公示", "无"]):
        Client(REMOTE_ADDR=f"10.0.1.{i}").post(url, {f"q{question.pk}": text}, HTTP_HOST=host)
    with in_site(alpha):
        adopted = SurveyAnswer.objects.get(text="建议增加夜间停车位")
    admin = admin_client(alpha)
    refused = admin.post(
        f"/admin/interaction/surveys/{page.pk}/comments/{adopted.pk}/",
        {"adopted": "1", "note": ""},
        follow=True,
    )
    assert "请写明采纳情况" in refused.content.decode()
    admin.post(
        f"/admin/interaction/surveys/{page.pk}/comments/{adopted.pk}/",
        {"adopted": "1", "note": "第五条增加夜间共享停车"},
    )
    with in_site(alpha), committed():
        page.closes_at = page.opens_at + (page.closes_at - page.opens_at) / 1000
        page.save_revision().publish()
    html = Client().get(url, HTTP_HOST=host).content.decode()
    assert "征集意见反馈" in html and "共收到意见 3 条，采纳 1 条" in html
    assert "建议增加夜间停车位" in html and "第五条增加夜间共享停车" in html
    assert "建议收费公示" not in html  # only adopted comments are published
    assert re.search(r"csrfmiddlewaretoken", html) is None
