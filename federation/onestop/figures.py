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

    # Applications: a department counts the cases addressed to it (lead or parallel part);
    # the city counts each case once.
    tasks = CaseTask.objects.filter(case__kind=KIND)
    cases = Case.objects.filter(kind=KIND)
    if not portal:
        tasks = tasks.filter(site=website)
        cases = cases.filter(tasks__site=website).distinct()
    done = Q(case__status=CaseStatus.COMPLETED)
    late = done & Q(case__closed_at__date__gt=F("case__deadline"))
    still_open = ~Q(case__status__in=[CaseStatus.COMPLETED, CaseStatus.REFUSED])
    open_late = still_open & Q(case__deadline__lt=today)
    per_site = tasks.values("site_id").annotate(
        received=Count("case", distinct=True),
        completed=Count("case", filter=done, distinct=True),
        late=Count("case", filter=late, distinct=True),
        open_late=Count("case", filter=open_late, distinct=True),
    )
    for g in per_site:
        row = rows.get(g["site_id"])
        if row is None:
            continue
        row.received, row.completed = g["received"], g["completed"]
        row.on_time = g["completed"] - g["late"]
        row.open_overdue = g["open_late"]
        row.overdue = g["late"] + g["open_late"]
    done_c = Q(status=CaseStatus.COMPLETED)
    city = cases.aggregate(
        received=Count("id"),
        completed=Count("id", filter=done_c),
        late=Count("id", filter=done_c & Q(closed_at__date__gt=F("deadline"))),
        open_late=Count(
            "id",
            filter=~Q(status__in=[CaseStatus.COMPLETED, CaseStatus.REFUSED])
            & Q(deadline__lt=today),
        ),
    )
    total.received, total.completed = city["received"], city["completed"]
    total.on_time = city["completed"] - city["late"]
    total.open_overdue = city["open_late"]
    total.overdue = city["late"] + city["open_late"]

    # Handling time: working days from submission to completion, per (opened, closed) pair.
    tz = timezone.get_current_timezone()
    pairs = list(
        tasks.filter(done)
        .annotate(
            opened=TruncDate("case__opened_at", tzinfo=tz),
            closed=TruncDate("case__closed_at", tzinfo=tz),
        )
        .values("site_id", "opened", "closed")
        .annotate(n=Count("case", distinct=True))
    )
    city_pairs = list(
        cases.filter(done_c)
        .annotate(
            opened=TruncDate("opened_at", tzinfo=tz), closed=TruncDate("closed_at", tzinfo=tz)
        )
        .values("opened", "closed")
        .annotate(n=Count("id"))
    )
    counter = _WorkingDayCounter([*pairs, *city_pairs])
    for g in pairs:
        row = rows.get(g["site_id"])
        if row is not None:
            row.handling_days_total += counter.between(g["opened"], g["closed"]) * g["n"]
            row.handled += g["n"]
    for g in city_pairs:
        total.handling_days_total += counter.between(g["opened"], g["closed"]) * g["n"]
        total.handled += g["n"]
    return Figures(total, list(rows.values()), today, counter.assumed)


class _WorkingDayCounter:
    """Working days between two dates by a cumulative table over the dates asked about:
    one calendar walk for all cases instead of one per case."""

    def __init__(self, pairs):
        days = [d for p in pairs for d in (p["opened"], p["closed"]) if d]
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

    def between(self, a, b) -> int:
        """Working days after `a` up to and including `b` (tenants.workdays' convention)."""
        if not a or not b or b <= a:
            return 0
        return self.cumulative[(b - self.start).days] - self.cumulative[(a - self.start).days]


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
