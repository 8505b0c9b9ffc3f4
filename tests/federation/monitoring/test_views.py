"""The admin views: a site sees its own card, links, report and warnings and nothing of another
site's; the municipal office (the portal's webmaster) ranks every site, drills into one and
exports the ranking."""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from federation.monitoring import scorecards, warnings
from federation.monitoring.models import (
    BrokenLink,
    DefacementAlert,
    Finding,
    Scorecard,
    VisitDay,
)
from tests.clients import admin_client, site_client
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db


def card(website, score, day=None, vetoes=(), warnings_=()):
    c = Scorecard.objects.create(
        website=website,
        day=day or timezone.localdate(),
        score=Decimal(score),
        deductions=100 - Decimal(score),
        veto_count=len(vetoes),
        warning_count=len(warnings_),
    )
    for title in vetoes:
        Finding.objects.create(
            scorecard=c, indicator="x", indicator_label="X", severity="veto", title=title
        )
    for title in warnings_:
        Finding.objects.create(
            scorecard=c,
            indicator="w",
            indicator_label="W",
            severity="warning",
            title=title,
            admin_path="/admin/pages/3/",
        )
    return c


def test_a_site_sees_only_its_own_card_links_and_alerts(alpha, beta):
    card(alpha, "88.5", warnings_=["甲区首页已 11 天未更新"])
    card(beta, "42", vetoes=["乙局 5 个空白栏目"])
    BrokenLink.objects.create(
        website=beta, page_path="/b/", url="http://beta.localhost/乙局失效链接/", kind="internal"
    )
    DefacementAlert.objects.create(
        website=beta, previous_fingerprint="a", fingerprint="b", excerpt="乙局被改"
    )
    client = admin_client(alpha)
    page = client.get("/admin/monitoring/").content.decode()
    assert "88.5" in page and "甲区首页已 11 天未更新" in page
    assert "42" not in page.split("评分卡")[1][:200] and "乙局" not in page
    # (a marker no CSRF token can contain: "zz" once came up in one)
    assert "乙局失效链接" not in client.get("/admin/monitoring/links/").content.decode()
    assert "乙局失效链接" in admin_client(beta).get("/admin/monitoring/links/").content.decode()
    # the office's views answer 404 outside the portal, even to a webmaster
    assert client.get("/admin/monitoring/sites/").status_code == 404
    assert client.get("/admin/monitoring/sites/beta/").status_code == 404
    # an alert of another site cannot be resolved from here
    other = DefacementAlert.objects.get(website=beta)
    assert (
        client.post(f"/admin/monitoring/alerts/{other.pk}/", {"status": "dismissed"}).status_code
        == 404
    )
    # the dashboard's 我的待办 shows this site's warning
    dashboard = client.get("/admin/").content.decode()
    assert (
        "监测预警" in dashboard
        and "甲区首页已 11 天未更新" in dashboard
        and "乙局" not in dashboard
    )


def test_visitors_and_editors_without_admin_rights_get_nothing(alpha):
    assert site_client(alpha).get("/admin/monitoring/").status_code == 302  # to the login


def test_the_office_ranks_every_site_and_drills_down(alpha, beta, portal):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    card(alpha, "70", day=yesterday)
    card(alpha, "91")
    card(beta, "95", vetoes=["首页 20 天未更新（超过 14 天即单项否决）"])
    card(portal, "80")
    client = admin_client(portal)
    page = client.get("/admin/monitoring/sites/").content.decode()
    order = [page.index(f'data-schema="{s}"') for s in ("alpha", portal.schema_name, "beta")]
    assert order == sorted(order)  # 91, 80, then the vetoed 95
    assert "首页 20 天未更新" in page and "<svg" in page and "<polyline" in page
    detail = client.get("/admin/monitoring/sites/beta/").content.decode()
    assert "首页 20 天未更新" in detail and "单项否决" in detail
    assert client.get("/admin/monitoring/sites/nosuch/").status_code == 404
    csv_text = client.get("/admin/monitoring/sites/?format=csv").content.decode("utf-8-sig")
    lines = csv_text.splitlines()
    assert lines[0].startswith("排名,网站") and lines[1].startswith(
        "1,乌海市甲区人民政府,区县政府网站,91.0,合格"
    )
    xlsx = client.get("/admin/monitoring/sites/?format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    names = [sheet.cell(row=r, column=2).value for r in range(2, 5)]
    assert names[:1] == ["乌海市甲区人民政府"] and "乌海市乙局" in names


def test_a_portal_editor_without_an_office_role_does_not_see_the_ranking(portal):
    from tests.clients import site_client as client_for

    editor = make_user(portal, "plain_editor_mon", role="编辑")
    client = client_for(portal, editor)
    assert client.get("/admin/monitoring/sites/").status_code in (403, 404)


def test_early_warnings_are_mailed_once_a_day_to_the_responsible_people(alpha, mailoutbox):
    alpha.contact_email = "office@alpha.example.cn"
    alpha.save(update_fields=["contact_email"])
    make_article(
        alpha, "动态", column="gzdt", date=timezone.localdate() - datetime.timedelta(days=11)
    )
    c = scorecards.compute_scorecard(alpha)
    assert c.warning_count >= 1
    assert warnings.send_warnings(alpha, c) >= 1
    subjects = [m.subject for m in mailoutbox]
    assert any("首页已 11 天未更新" in s for s in subjects)
    assert all(m.to == ["office@alpha.example.cn"] for m in mailoutbox)
    sent = len(mailoutbox)
    assert warnings.send_warnings(alpha, scorecards.compute_scorecard(alpha)) == 0
    assert len(mailoutbox) == sent


def test_annual_report_in_the_regulators_layout(alpha):
    year = timezone.localdate().year
    # browser tests earlier in this process commit visits of their own: start from none
    VisitDay.objects.filter(website=alpha).delete()
    VisitDay.objects.create(website=alpha, day=timezone.localdate(), path="/", views=7)
    make_article(alpha, "动态一", column="gzdt")
    client = admin_client(alpha)
    page = client.get(f"/admin/monitoring/report/?year={year}").content.decode()
    assert "网站总访问量" in page and "政务动态信息更新量" in page and "未接入" in page
    xlsx = client.get(f"/admin/monitoring/report/?year={year}&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = {
        sheet.cell(row=r, column=2).value: sheet.cell(row=r, column=3).value
        for r in range(3, sheet.max_row + 1)
    }
    assert values["网站名称"] == "乌海市甲区人民政府"
    assert values["网站总访问量"] == 7 and values["政务动态信息更新量"] == 1
    assert (
        values["公开目录发布信息"] == 0 and values["制发规范性文件"] == 0
    )  # from sites.disclosure
    assert client.get("/admin/monitoring/report/?year=1900").status_code == 302
    assert client.get("/admin/monitoring/report/?year=abc").status_code == 200


def test_tasks_carry_their_schema_and_the_fan_out_reaches_every_site(alpha, beta, committed):
    from django_tenants.utils import schema_context

    from federation.monitoring import tasks

    with pytest.raises(RuntimeError, match="needs a site"):
        tasks.scorecard_site.apply(throw=True)
    with committed():
        tasks.scorecards_all_sites.apply(throw=True)
    assert {c.website.schema_name for c in Scorecard.objects.all()} >= {"alpha", "beta"}
    with schema_context("alpha"):
        tasks.scorecard_site.apply(throw=True)
    assert Scorecard.objects.filter(website=alpha).count() == 1  # replaced, never duplicated
