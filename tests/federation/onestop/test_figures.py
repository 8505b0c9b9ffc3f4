"""The S5 figures (issue 14, item 4): items by online level, the licensing online share
against the 50% target, applications received / completed / on time / overdue, average
handling time in working days; a page in the portal's admin and each department's, CSV."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from federation.casework import services as casework
from federation.library.models import LibraryItem
from federation.onestop import figures as s5
from federation.onestop.apply import KIND
from tests.clients import admin_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(alpha, beta, portal, publish_item):
    # City-wide figures count every site: start from none, whatever browser tests earlier in
    # this process committed (items and applications of their own; 3 online items, not 2).
    from federation.casework.models import Case
    from federation.library.models import ItemType

    LibraryItem.objects.filter(item_type=ItemType.SERVICE).delete()
    Case.objects.filter(kind=KIND).delete()
    pages = [
        publish_item(beta, item_type="licensing", online_level=4),
        publish_item(beta, item_type="licensing", online_level=3),
        publish_item(beta, item_type="licensing", online_level=1),
        publish_item(beta, item_type="public_service", online_level=2),
        publish_item(alpha, item_type="licensing", online_level=1),
    ]
    item = LibraryItem.objects.get(site=beta, page_id=pages[0].pk)

    def application(days_ago, working_days, finish=None):
        case, _ = casework.open_case(
            KIND,
            lead_site=beta,
            sites=[alpha],
            title=item.title,
            subject_key=item.item_key,
            applicant={"name": "测试"},
            content={},
            deadline_working_days=working_days,
            opened_at=timezone.now() - datetime.timedelta(days=days_ago),
        )
        if finish:
            casework.accept(case, beta)
            casework.accept(case, alpha)
            casework.answer(case, alpha, note="同意")
            casework.complete(case, beta, note="准予")
        return case

    on_time = application(3, 20, finish=True)
    late = application(40, 1, finish=True)
    application(30, 2)  # open and past its deadline
    application(0, 20)  # open, in time
    return {"on_time": on_time, "late": late}


def test_the_city_figures(city, portal):
    figures = s5.compute(portal)
    total = figures.total
    assert total.by_level == {1: 2, 2: 1, 3: 1, 4: 1}
    assert (total.licensing, total.licensing_online, total.online_share) == (4, 2, 50)
    assert total.meets_target
    assert (total.received, total.completed, total.on_time, total.overdue) == (4, 2, 1, 2)
    # handled today: opened 3 and 40 days ago; the average is in working days (not calendar)
    assert total.average_days is not None and total.average_days < (3 + 40) / 2
    from decimal import Decimal

    from federation.casework.models import Case
    from tenants.workdays import working_days_between

    days = [
        working_days_between(
            timezone.localdate(case.opened_at), timezone.localdate(case.closed_at)
        ).days
        for case in Case.objects.filter(pk__in=[city["on_time"].pk, city["late"].pk])
    ]
    assert total.average_days == (Decimal(sum(days)) / 2).quantize(Decimal("0.1"))
    assert total.handled == 2
    rows = {row.name: row for row in figures.rows}
    assert float(rows["乌海市乙局"].online_share) == pytest.approx(66.7)
    assert (
        rows["乌海市甲区人民政府"].online_share == 0 and not rows["乌海市甲区人民政府"].meets_target
    )
    assert rows["乌海市甲区人民政府"].received == 4  # the parallel part counts for alpha too
    assert rows["乌海市乙局"].average_days == total.average_days  # the lead of both
    assert (rows["乌海市乙局"].received, rows["乌海市乙局"].overdue) == (4, 2)


def test_a_department_sees_only_its_own(city, alpha):
    figures = s5.compute(alpha)
    assert [row.name for row in figures.rows] == ["乌海市甲区人民政府"]
    assert figures.total.by_level == {1: 1, 2: 0, 3: 0, 4: 0}


def test_the_page_has_charts_and_the_csv_the_same_figures(city, portal, beta):
    client = admin_client(portal)
    html = client.get("/admin/onestop/figures/", HTTP_HOST=portal.primary_domain).content.decode()
    assert "<svg" in html and "目标 50%" in html and "乌海市乙局" in html and "全市合计" in html
    response = client.get("/admin/onestop/figures/?format=csv", HTTP_HOST=portal.primary_domain)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "部门" and rows[-1][0] == "全市合计"
    assert rows[-1][rows[0].index("行政许可网办率（%）")] == "50.0"
    own = admin_client(beta).get("/admin/onestop/figures/", HTTP_HOST=beta.primary_domain)
    assert "乌海市甲区人民政府" not in own.content.decode()


def test_the_working_day_counter_matches_the_calendar():
    from tenants.workdays import working_days_between

    pairs = [
        {"opened": datetime.date(2026, 9, 28), "closed": datetime.date(2026, 10, 12)},
        {"opened": datetime.date(2026, 2, 10), "closed": datetime.date(2026, 2, 28)},
    ]
    counter = s5._WorkingDayCounter([d for p in pairs for d in p.values()])
    for p in pairs:
        assert (
            counter.between(p["opened"], p["closed"])
            == working_days_between(p["opened"], p["closed"]).days
        )


def test_life_events_are_edited_on_the_portal_only(portal, beta):
    client = admin_client(portal)
    response = client.post(
        "/admin/onestop/life-events/",
        {"lines": "生育收养｜出生、收养\n上学\n新事件｜说明"},
        HTTP_HOST=portal.primary_domain,
        follow=True,
    )
    assert "已保存" in response.content.decode()
    from federation.onestop.services import life_event_names

    assert life_event_names() == ["生育收养", "上学", "新事件"]
    denied = admin_client(beta).get("/admin/onestop/life-events/", HTTP_HOST=beta.primary_domain)
    assert denied.status_code in (302, 403)
