"""The indicator framework of the scorecard (O4): what an indicator is, and how they are found.

An indicator computes findings for one site from that site's own data. It runs inside the
site's schema (the scorecard job switches to it), so it reads the site's pages with the ORM as
a page view would, and public rows (probe results, broken links, cases) by the site's registry
entry. Indicators are listed in `settings.SCORECARD_INDICATORS` (import strings of classes);
monitoring imports none of them by name, so an app higher up or beside it (onestop's service
guides, interaction's letters) registers its own by appending to that list.

    class UnansweredLetters(Indicator):
        code = "letters.unanswered"
        label = "互动回应"
        settings = (Setting("letters.veto_days", "留言超过多少天未答复即单项否决", 90),)

        def compute(self, site):
            days = site.setting("letters.veto_days")
            late = …  # the site's letters older than `days` with no answer
            if late:
                return [Found.veto(f"{len(late)} 件留言超过 {days} 天未答复",
                                   fix="逐件答复并公开，或按规定转办", admin_path="/admin/…")]
            return []

An indicator need not import this module (an app in `sites/` cannot: imports point down):
any class with `code`, `label`, `settings` (Setting or plain `(key, label, default)` tuples)
and `compute(site)` returning Found objects or dicts with the same keys (severity "veto",
"deduction", "warning" or "note"; title; fix; points; detail; admin_path) will do.

The national defaults are the `Setting` defaults; an operator changes them in the console
(评估指标设置), and every indicator reads the current value through `site.setting(key)`.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from django.conf import settings as django_settings
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import IndicatorSetting

VETO = "veto"
DEDUCTION = "deduction"
WARNING = "warning"
NOTE = "note"


@dataclass(frozen=True)
class Setting:
    """A threshold or deduction an indicator reads, with its national default."""

    key: str
    label: str
    default: float | int | Decimal
    help: str = ""


@dataclass
class Found:
    """One finding: what is wrong, how much it costs, what to do and where in the admin."""

    severity: str  # VETO, DEDUCTION, WARNING or NOTE
    title: str
    fix: str = ""
    points: Decimal = Decimal(0)
    detail: str = ""
    admin_path: str = ""  # a path in the site's own admin, e.g. /admin/pages/12/

    @classmethod
    def veto(cls, title, **kw):
        return cls(VETO, title, **kw)

    @classmethod
    def deduction(cls, title, points, **kw):
        return cls(DEDUCTION, title, points=Decimal(str(points)), **kw)

    @classmethod
    def warning(cls, title, **kw):
        return cls(WARNING, title, **kw)

    @classmethod
    def note(cls, title, **kw):
        return cls(NOTE, title, **kw)


@dataclass
class SiteContext:
    """What an indicator gets: the site's registry entry, the day evaluated, the settings."""

    website: object
    day: datetime.date
    values: dict = field(default_factory=dict)

    def setting(self, key: str) -> Decimal:
        return self.values[key]

    def number(self, key: str) -> int:
        return int(self.values[key])

    @property
    def window(self) -> tuple[datetime.datetime, datetime.datetime]:
        """The 24 hours evaluated: the day itself, or the last 24 hours for today."""
        now = timezone.now()
        if self.day >= timezone.localdate(now):
            return now - datetime.timedelta(days=1), now
        start = timezone.make_aware(datetime.datetime.combine(self.day, datetime.time.min))
        return start, start + datetime.timedelta(days=1)


class Indicator:
    """Subclass, set `code`, `label`, `settings`, implement `compute(site) -> list[Found]`."""

    code = ""
    label = ""
    settings: tuple[Setting, ...] = ()

    def applies_to(self, website) -> bool:
        """Whether this indicator evaluates `website` (all sites unless overridden)."""
        return True

    def compute(self, site: SiteContext) -> list[Found]:
        raise NotImplementedError


@cache
def _load(paths: tuple[str, ...]) -> tuple[Indicator, ...]:
    found = []
    for path in paths:
        obj = import_string(path)
        found.append(obj() if isinstance(obj, type) else obj)
    codes = [i.code for i in found]
    if len(set(codes)) != len(codes):
        raise ValueError(f"SCORECARD_INDICATORS: two indicators share a code: {codes}")
    return tuple(found)


def registered() -> tuple[Indicator, ...]:
    return _load(tuple(django_settings.SCORECARD_INDICATORS))


def _setting(s) -> Setting:
    return s if isinstance(s, Setting) else Setting(*s)


def as_found(item) -> Found:
    """A finding as an indicator returned it (a Found, or a dict with the same keys)."""
    if isinstance(item, Found):
        return item
    item = dict(item)
    item["points"] = Decimal(str(item.get("points", 0)))
    if item.get("severity") not in (VETO, DEDUCTION, WARNING, NOTE):
        raise ValueError(f"a finding's severity must be veto/deduction/warning/note: {item!r}")
    return Found(**item)


def declared_settings() -> list[tuple[Indicator, Setting]]:
    return [
        (indicator, _setting(s))
        for indicator in registered()
        for s in getattr(indicator, "settings", ())
    ]


def current_values() -> dict[str, Decimal]:
    """Every declared setting's value: the operator's, or the national default (the row is
    created then, so the console lists it)."""
    rows = {row.key: row.value for row in IndicatorSetting.objects.all()}
    missing = []
    for indicator, s in declared_settings():
        if s.key not in rows:
            default = Decimal(str(s.default))
            rows[s.key] = default
            missing.append(
                IndicatorSetting(
                    key=s.key,
                    label=s.label,
                    indicator=indicator.label,
                    value=default,
                    default=default,
                    help_text=s.help,
                )
            )
    if missing:
        IndicatorSetting.objects.bulk_create(missing, ignore_conflicts=True)
    return rows
