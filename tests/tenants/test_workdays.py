"""Working days for deadlines (tenants/workdays.py): the package, the operators' entries, and
the weekends-only rule for a year neither knows."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from security.audit.models import AuditEvent
from tenants.models import CalendarEntry
from tenants.workdays import add_working_days, is_working_day, working_days_between

pytestmark = pytest.mark.django_db
D = datetime.date


def test_spring_festival_2026_and_its_make_up_days():
    # 2026: holidays 15–23 February; Saturdays 14 and 28 February are working days.
    assert is_working_day(D(2026, 2, 14)) == (True, False)
    assert is_working_day(D(2026, 2, 16)) == (False, False)
    # Accepted Friday 13 February: 14 (Sat, make-up) is day 1, then nothing until the 24th.
    assert add_working_days(D(2026, 2, 13), 1) == (D(2026, 2, 14), False)
    assert add_working_days(D(2026, 2, 13), 2) == (D(2026, 2, 24), False)
    # …24, 25, 26, 27, Sat 28 (make-up), Mon 2 March.
    assert add_working_days(D(2026, 2, 13), 7) == (D(2026, 3, 2), False)
    assert working_days_between(D(2026, 2, 13), D(2026, 3, 2)) == (7, False)


def test_national_day_2026_and_its_make_up_days():
    # 1–7 October off; Sunday 20 September and Saturday 10 October are working days.
    assert add_working_days(D(2026, 9, 18), 1) == (D(2026, 9, 20), False)
    assert add_working_days(D(2026, 9, 30), 1) == (D(2026, 10, 8), False)
    assert add_working_days(D(2026, 9, 30), 3) == (D(2026, 10, 10), False)
    assert add_working_days(D(2026, 9, 30), 4) == (D(2026, 10, 12), False)
    assert working_days_between(D(2026, 9, 30), D(2026, 10, 12)) == (4, False)
    assert working_days_between(D(2026, 10, 12), D(2026, 9, 30)) == (-4, False)
    assert add_working_days(D(2026, 10, 12), -4) == (D(2026, 9, 30), False)


def test_an_operator_entry_wins_over_the_package():
    CalendarEntry.objects.create(date=D(2026, 10, 10), kind="holiday", note="更正")
    CalendarEntry.objects.create(date=D(2026, 10, 7), kind="workday", note="更正")
    assert is_working_day(D(2026, 10, 10)) == (False, False)
    assert add_working_days(D(2026, 9, 30), 1) == (D(2026, 10, 7), False)
    # 7, 8, 9, then not the 10th (now a holiday) nor Sunday the 11th.
    assert add_working_days(D(2026, 9, 30), 4) == (D(2026, 10, 12), False)


def test_a_2027_deadline_without_operator_entries_assumes_weekends_only():
    # Opened Wednesday 23 December 2026, 20 working days: 2026 is known, 2027 is not.
    deadline = add_working_days(D(2026, 12, 23), 20)
    # 24, 25, 28–31 Dec (6, 2026's New Year holiday is 1 January 2027, unknown), then
    # weekdays in 2027: 1, 4–8, 11–15, 18–20 January → the 20th is 20 January.
    assert deadline == (D(2027, 1, 20), True)
    assert working_days_between(D(2026, 12, 23), D(2027, 1, 20)) == (20, True)
    # Within 2026 alone, nothing is assumed.
    assert add_working_days(D(2026, 12, 23), 5) == (D(2026, 12, 30), False)


def test_a_2027_deadline_with_operator_entries():
    for day in (D(2027, 1, 1),):
        CalendarEntry.objects.create(date=day, kind="holiday", note="元旦")
    CalendarEntry.objects.create(date=D(2027, 1, 9), kind="workday", note="调休上班（示例）")
    deadline = add_working_days(D(2026, 12, 23), 20)
    # 1 January off, Saturday 9 January worked: 6 in 2026, then 4–8 (5), 9 (1), 11–15 (5),
    # 18, 19, 20 → the 20th is 20 January again, and nothing is assumed.
    assert deadline == (D(2027, 1, 20), False)
    assert add_working_days(D(2026, 12, 30), 2) == (D(2027, 1, 4), False)


@pytest.fixture
def console():
    get_user_model().objects.create_user("ops", password="Operator-Pass-2026", is_staff=True)
    client = Client(HTTP_HOST="console.localhost")
    client.post("/login/", {"username": "ops", "password": "Operator-Pass-2026"})
    return client


def test_console_lists_adds_and_deletes_entries_and_warns_for_an_unknown_year(console):
    page = console.get("/calendar/?year=2027").content.decode()
    assert "尚无数据" in page and 'id="calendar-warning"' in page
    assert 'id="calendar-warning"' in console.get("/").content.decode()  # the site list too

    response = console.post("/calendar/", {"date": "2027-02-06", "kind": "holiday", "note": "春节"})
    assert response.status_code == 302
    entry = CalendarEntry.objects.get(date=D(2027, 2, 6))
    assert entry.entered_by == "ops"
    page = console.get("/calendar/?year=2027").content.decode()
    assert "已由运维录入" in page and "春节" in page
    assert 'id="calendar-warning"' not in console.get("/").content.decode()

    again = console.post("/calendar/", {"date": "2027-02-06", "kind": "workday"})
    assert again.status_code == 400 and "已经录入过" in again.content.decode()
    assert console.post("/calendar/", {"date": "not a date", "kind": "holiday"}).status_code == 400

    console.post(f"/calendar/{entry.pk}/delete/")
    assert not CalendarEntry.objects.exists()
    logged = AuditEvent.objects.filter(schema_name="public", event_type="console.calendar")
    assert logged.count() == 2


def test_only_operators_change_the_calendar():
    get_user_model().objects.create_user("citizen", password="Citizen-Pass-2026")
    client = Client(HTTP_HOST="console.localhost")
    client.post("/login/", {"username": "citizen", "password": "Citizen-Pass-2026"})
    client.post("/calendar/", {"date": "2027-02-06", "kind": "holiday"})
    assert not CalendarEntry.objects.exists()
