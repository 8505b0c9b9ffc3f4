"""The S5 figures: service items by online level, the share of 行政许可 items that can be
handled online (target ≥ 50%), applications received / completed / on time / overdue and the
average handling time in working days — city-wide (the portal) and per department.

A fixed number of grouped queries whatever the number of items or cases: the hall's narrow
rows grouped by site, type and level; every application part in one grouped pass over tasks
and cases (CASE_GROUPS_SQL), its handling time summed against one cumulative working-day table
passed to the database.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Min
from django.utils import timezone

from federation.casework.models import Case, CaseStatus, CaseTask
from tenants.models import Website
from tenants.workdays import Calendar

from .apply import KIND
from .hall import LEVELS, hall_entries

ONLINE_TARGET = Decimal("50")
ONLINE_LEVEL = 3  # 在线申报 and above: "can be handled online"


@dataclass
class Row:
    """One department's figures (or the city's total)."""

    site_id: int | None
    name: str
    by_level: dict = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    licensing: int = 0
    licensing_online: int = 0
    received: int = 0
    completed: int = 0
    on_time: int = 0
    overdue: int = 0
    open_overdue: int = 0
    handling_days_total: int = 0
    handled: int = 0

    @property
    def items(self) -> int:
        return sum(self.by_level.values())

    @property
    def online_share(self) -> Decimal | None:
        if not self.licensing:
            return None
        return (Decimal(100) * self.licensing_online / self.licensing).quantize(Decimal("0.1"))

    @property
    def meets_target(self) -> bool | None:
        share = self.online_share
        return None if share is None else share >= ONLINE_TARGET

    @property
    def average_days(self) -> Decimal | None:
        if not self.handled:
            return None
        return (Decimal(self.handling_days_total) / self.handled).quantize(Decimal("0.1"))


@dataclass
class Figures:
    total: Row
    rows: list[Row]
    today: datetime.date
    assumed_calendar: bool = False


def compute(website) -> Figures:
    """The portal's figures cover every site (a row each); another site's, itself."""
    portal = website is None or website.kind == Website.Kind.PORTAL
    today = timezone.localdate()
    sites = Website.objects.sites().filter(status=Website.Status.ACTIVE)
    if not portal:
        sites = sites.filter(pk=website.pk)
    rows = {s.pk: Row(s.pk, s.legal_name) for s in sites.order_by("kind", "legal_name")}
    total = Row(None, "全市合计" if portal else website.legal_name)

    grouped = (
        hall_entries(None if portal else website)
        .values("site_id", "online_level", "service_type")
        .annotate(n=Count("pk"))
    )
    for g in grouped:
        row = rows.get(g["site_id"])
        level = g["online_level"] if g["online_level"] in LEVELS else 1
        for target in (row, total) if row else (total,):
            target.by_level[level] += g["n"]
            if g["service_type"] == "licensing":
                target.licensing += g["n"]
                if level >= ONLINE_LEVEL:
                    target.licensing_online += g["n"]

    counter = None
    first = Case.objects.filter(kind=KIND).aggregate(first=Min("opened_at"))["first"]
    if first is not None:
        counter = _WorkingDayCounter([timezone.localdate(first), today])
        for g in _case_groups(None if portal else website, counter, today):
            # A department counts its parts of cases (lead, parallel or routed to it); the city
            # counts each case once: its lead part.
            row = rows.get(g["site_id"])
            for target in (row, total if portal and g["lead"] else None):
                if target is not None:
                    target.received += g["received"]
                    target.completed += g["completed"]
                    target.on_time += g["completed"] - g["late"]
                    target.open_overdue += g["open_late"]
                    target.overdue += g["late"] + g["open_late"]
                    target.handling_days_total += g["handling_days"]
                    target.handled += g["handled"]
    if not portal:  # a department's total is its own row
        own = rows.get(website.pk) or total
        own.name = total.name
        total = own
    return Figures(total, list(rows.values()), today, bool(counter and counter.assumed))


# Every application part in one pass: per site and role (lead or not), the counts and the
# handling time in working days. The working days come from one cumulative table passed as an
# array (cum[d] = working days from the first day up to day d): a case's handling time is
# cum[closed] − cum[opened], summed in the database, never a row per case in Python.
CASE_GROUPS_SQL = """
WITH cal AS (SELECT %(cum)s::int[] AS cum)
SELECT t.site_id, t.role = %(lead)s AS lead,
       count(*) AS received,
       count(*) FILTER (WHERE c.status = %(completed)s) AS completed,
       count(*) FILTER (
           WHERE c.status = %(completed)s AND (c.closed_at AT TIME ZONE %(tz)s)::date > c.deadline
       ) AS late,
       count(*) FILTER (WHERE c.status <> ALL(%(closed)s) AND c.deadline < %(today)s) AS open_late,
       count(*) FILTER (WHERE c.status = %(completed)s AND c.closed_at IS NOT NULL) AS handled,
       coalesce(sum(
           cal.cum[LEAST((c.closed_at AT TIME ZONE %(tz)s)::date - %(first)s, %(last)s) + 1]
           - cal.cum[LEAST((c.opened_at AT TIME ZONE %(tz)s)::date - %(first)s, %(last)s) + 1]
       ) FILTER (WHERE c.status = %(completed)s), 0) AS handling_days
FROM {tasks} t JOIN {cases} c ON c.id = t.case_id, cal
WHERE c.kind = %(kind)s {own}
GROUP BY 1, 2
"""


def _case_groups(website, counter: "_WorkingDayCounter", today) -> list[dict]:
    """[{site_id, lead, received, completed, late, open_late, handled, handling_days}]"""
    sql = CASE_GROUPS_SQL.format(
        tasks=CaseTask._meta.db_table,
        cases=Case._meta.db_table,
        own="AND t.site_id = %(site)s" if website is not None else "",
    )
    params = {
        "cum": counter.cumulative,
        "lead": CaseTask.Role.LEAD,
        "completed": CaseStatus.COMPLETED,
        "closed": [CaseStatus.COMPLETED, CaseStatus.REFUSED],
        "tz": timezone.get_current_timezone_name(),
        "today": today,
        "first": counter.start,
        "last": len(counter.cumulative) - 1,
        "kind": KIND,
        "site": website.pk if website is not None else None,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


class _WorkingDayCounter:
    """Working days between dates by a cumulative table over the days asked about: one
    calendar walk for all cases instead of one per case."""

    def __init__(self, days):
        days = [d for d in days if d]
        self.assumed = False
        if not days:
            self.start, self.cumulative = None, []
            return
        self.start, end = min(days), max(days)
        calendar = Calendar()
        running, cumulative, day = 0, [], self.start
        while day <= end:
            running += calendar.is_working_day(day)
            cumulative.append(running)
            day += datetime.timedelta(days=1)
        self.cumulative, self.assumed = cumulative, calendar.assumed

    def cumulative_at(self, day) -> int:
        """Working days from the table's first day up to and including `day`."""
        return self.cumulative[(day - self.start).days] if day else 0

    def between(self, a, b) -> int:
        """Working days after `a` up to and including `b` (tenants.workdays' convention)."""
        if not a or not b or b <= a:
            return 0
        return self.cumulative_at(b) - self.cumulative_at(a)


CSV_HEADER = [
    "部门",
    "事项总数",
    *[f"{label}事项" for label in LEVELS.values()],
    "行政许可事项",
    "可网上办理的行政许可事项",
    "行政许可网办率（%）",
    "达到50%目标",
    "收到申请",
    "已办结",
    "按时办结",
    "超期（含未办结超期）",
    "平均办理时间（工作日）",
]


def csv_rows(figures: Figures):
    for row in [*figures.rows, figures.total]:
        share = row.online_share
        yield [
            row.name,
            row.items,
            *[row.by_level[n] for n in LEVELS],
            row.licensing,
            row.licensing_online,
            "" if share is None else str(share),
            "" if share is None else ("是" if row.meets_target else "否"),
            row.received,
            row.completed,
            row.on_time,
            row.overdue,
            "" if row.average_days is None else str(row.average_days),
        ]
