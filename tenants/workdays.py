"""Working days (工作日) for deadlines: China's public holidays and make-up working days.

Three sources, in this order, for any date:
1. an operator's entry (`CalendarEntry`, edited in the console): the State Council publishes
   next year's arrangement each winter, before the package knows it;
2. the chinesecalendar package, for the years it knows (2004–2026 in 1.11);
3. for a year neither knows, the stated rule: Monday to Friday are working days. The answer
   then says so (`assumed`), so a case can show a warning; nothing raises in a citizen's
   request.

A year with at least one operator entry counts as entered by the operators: its other days
follow the weekday rule without a warning (the console asks for a whole year at once).
"""

import datetime
from typing import NamedTuple

import chinese_calendar
from django.utils import timezone

from .models import CalendarEntry

ONE_DAY = datetime.timedelta(days=1)
PACKAGE_YEARS = frozenset(day.year for day in chinese_calendar.holidays)


class WorkingDate(NamedTuple):
    date: datetime.date
    assumed: bool  # a year on the way was known to no one: weekends-only rule applied


class WorkingDayCount(NamedTuple):
    days: int
    assumed: bool


class Calendar:
    """The rules for the dates one question touches; each year's operator entries are read
    once (one query per year)."""

    def __init__(self):
        self._years: dict[int, dict[datetime.date, bool]] = {}
        self.assumed = False

    def _entries(self, year: int) -> dict[datetime.date, bool]:
        if year not in self._years:
            self._years[year] = {
                date: kind == CalendarEntry.Kind.WORKDAY
                for date, kind in CalendarEntry.objects.filter(date__year=year).values_list(
                    "date", "kind"
                )
            }
        return self._years[year]

    def is_working_day(self, day: datetime.date) -> bool:
        entries = self._entries(day.year)
        if day in entries:
            return entries[day]
        if day.year in PACKAGE_YEARS:
            return chinese_calendar.is_workday(day)
        if not entries:
            self.assumed = True
        return day.weekday() < 5


def _date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def is_working_day(day: datetime.date) -> tuple[bool, bool]:
    """(is it a working day, was the weekends-only rule assumed)"""
    calendar = Calendar()
    working = calendar.is_working_day(_date(day))
    return working, calendar.assumed


def add_working_days(start, n: int) -> WorkingDate:
    """The n-th working day after `start` (start itself not counted: 受理之日起 n 个工作日
    ends on that date); n = 0 gives `start`. A negative n counts backwards."""
    calendar = Calendar()
    day, step = _date(start), (ONE_DAY if n >= 0 else -ONE_DAY)
    remaining = abs(n)
    while remaining:
        day += step
        if calendar.is_working_day(day):
            remaining -= 1
    return WorkingDate(day, calendar.assumed)


def working_days_between(a, b) -> WorkingDayCount:
    """Working days after `a` up to and including `b` (so add_working_days(a, n) = b gives n);
    negative when b is before a."""
    a, b = _date(a), _date(b)
    if b < a:
        count = working_days_between(b, a)
        return WorkingDayCount(-count.days, count.assumed)
    calendar = Calendar()
    days, day = 0, a
    while day < b:
        day += ONE_DAY
        days += calendar.is_working_day(day)
    return WorkingDayCount(days, calendar.assumed)


def year_source(year: int) -> str | None:
    """Who knows `year`: "operator" (entries in the console), "package", or None."""
    if CalendarEntry.objects.filter(date__year=year).exists():
        return "operator"
    return "package" if year in PACKAGE_YEARS else None


def uncovered_years(today: datetime.date | None = None) -> list[int]:
    """This year and the coming one, where neither the package nor the operators know them:
    deadlines there fall back to the weekends-only rule (the console warns)."""
    today = today or timezone.localdate()
    return [year for year in (today.year, today.year + 1) if year_source(year) is None]
