"""The S5 figures: service items by online level, the share of 行政许可 items that can be
handled online (target ≥ 50%), applications received / completed / on time / overdue and the
average handling time in working days — city-wide (the portal) and per department.

A fixed number of grouped queries whatever the number of items or cases: items grouped by
site, type and level; cases grouped by site with conditional counts; handling time from the
(opened, closed) date pairs, counted against one cumulative working-day table.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, IntegerField, Q
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone

from federation.casework.models import Case, CaseStatus, CaseTask
from tenants.models import Website
from tenants.workdays import Calendar

from .apply import KIND
from .hall import LEVELS, service_items

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

    items = service_items(None if portal else website)
    grouped = (
        items.annotate(
            level=Cast(KeyTextTransform("online_level", "extra"), IntegerField()),
            kind=KeyTextTransform("service_item_type", "extra"),
        )
        .values("site_id", "level", "kind")
        .annotate(n=Count("id"))
    )
    for g in grouped:
        row = rows.get(g["site_id"])
        level = g["level"] if g["level"] in LEVELS else 1
        for target in (row, total) if row else (total,):
            target.by_level[level] += g["n"]
            if g["kind"] == "licensing":
                target.licensing += g["n"]
                if level >= ONLINE_LEVEL:
                    target.licensing_online += g["n"]

    # Applications: a department counts its parts of cases (lead, parallel or routed to it);
    # the city counts each case once.
    tasks = CaseTask.objects.filter(case__kind=KIND)
    cases = Case.objects.filter(kind=KIND)
    if not portal:
        tasks = tasks.filter(site=website)
    tz = timezone.get_current_timezone()
    done = Q(case__status=CaseStatus.COMPLETED)
    late = done & Q(case__closed_at__date__gt=F("case__deadline"))
    still_open = ~Q(case__status__in=[CaseStatus.COMPLETED, CaseStatus.REFUSED])
    open_late = still_open & Q(case__deadline__lt=today)
    # By site and day opened: the counts, and the completed ones for Σ cum[opened]; then by
    # site and day closed for Σ cum[closed]. Handling time = Σ cum[closed] − Σ cum[opened]
    # over one cumulative working-day table: day groups, never one row per case.
    opened = list(
        tasks.annotate(day=TruncDate("case__opened_at", tzinfo=tz))
        .values("site_id", "day")
        .annotate(
            received=Count("id"),
            n=Count("id", filter=done),
            late=Count("id", filter=late),
            open_late=Count("id", filter=open_late),
        )
    )
    closed = list(
        tasks.filter(done)
        .annotate(day=TruncDate("case__closed_at", tzinfo=tz))
        .values("site_id", "day")
        .annotate(n=Count("id"))
    )
    for g in opened:
        row = rows.get(g["site_id"])
        if row is None:
            continue
        row.received += g["received"]
        row.completed += g["n"]
        row.on_time += g["n"] - g["late"]
        row.open_overdue += g["open_late"]
        row.overdue += g["late"] + g["open_late"]
    city_days = []
    if portal:
        done_c = Q(status=CaseStatus.COMPLETED)
        by_day = list(
            cases.annotate(day=TruncDate("opened_at", tzinfo=tz))
            .values("day")
            .annotate(
                received=Count("id"),
                n=Count("id", filter=done_c),
                late=Count("id", filter=done_c & Q(closed_at__date__gt=F("deadline"))),
                open_late=Count(
                    "id",
                    filter=~Q(status__in=[CaseStatus.COMPLETED, CaseStatus.REFUSED])
                    & Q(deadline__lt=today),
                ),
            )
        )
        for g in by_day:
            total.received += g["received"]
            total.completed += g["n"]
            total.on_time += g["n"] - g["late"]
            total.open_overdue += g["open_late"]
            total.overdue += g["late"] + g["open_late"]
            city_days.append((g["day"], g["n"], -1))
        city_days += [
            (g["day"], g["n"], 1)
            for g in cases.filter(done_c)
            .annotate(day=TruncDate("closed_at", tzinfo=tz))
            .values("day")
            .annotate(n=Count("id"))
        ]
    counter = _WorkingDayCounter(
        [g["day"] for g in (*opened, *closed)] + [d for d, _, _ in city_days]
    )
    for groups, sign in ((opened, -1), (closed, 1)):
        for g in groups:
            row = rows.get(g["site_id"])
            if row is not None:
                row.handling_days_total += sign * counter.cumulative_at(g["day"]) * g["n"]
                if sign > 0:
                    row.handled += g["n"]
    if portal:
        for day, n, sign in city_days:
            total.handling_days_total += sign * counter.cumulative_at(day) * n
            if sign > 0:
                total.handled += n
    else:  # a department's total is its own row
        own = rows.get(website.pk) or total
        own.name = total.name
        total = own
    return Figures(total, list(rows.values()), today, counter.assumed)


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
