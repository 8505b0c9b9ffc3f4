"""The hall's listing (S2): service items read from the library alone, filtered by facet,
with the count of each facet value. A fixed number of queries whatever the number of items:
one per facet (grouped in the database) and one page of the list.

On the portal: every department's items. On any other site: its own (the same view).
"""

from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Count, Func, IntegerField
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast

from federation.library.models import ItemType, LibraryItem
from tenants.models import Website

PER_PAGE = 20
LEVELS = {1: "信息发布", 2: "表格下载", 3: "在线申报", 4: "全程网办"}
SERVICE_TYPES = {
    "licensing": "行政许可",
    "confirmation": "行政确认",
    "payment": "行政给付",
    "adjudication": "行政裁决",
    "reward": "行政奖励",
    "other_power": "其他行政权力",
    "public_service": "公共服务",
}
MAX_PARAM = 40


def service_items(website=None):
    """Current 办事服务 items of the library: every site's when `website` is the portal (or
    None), else the site's own."""
    items = LibraryItem.objects.filter(item_type=ItemType.SERVICE, withdrawn=False)
    if website is not None and website.kind != Website.Kind.PORTAL:
        items = items.filter(site=website)
    return items


@dataclass
class Facet:
    value: str
    label: str
    count: int
    selected: bool = False
    url: str = ""


@dataclass
class Filters:
    theme: str = ""
    event: str = ""
    site: str = ""
    level: int | None = None
    kind: str = ""
    notes: list = field(default_factory=list)

    @classmethod
    def from_params(cls, params) -> "Filters":
        """Hostile or malformed parameters are dropped with a note, never an error."""
        f = cls(
            theme=(params.get("theme") or "")[:MAX_PARAM],
            event=(params.get("event") or "")[:MAX_PARAM],
            site=(params.get("dept") or "")[:MAX_PARAM],
            kind=(params.get("kind") or "")[:MAX_PARAM],
        )
        level = params.get("level") or ""
        if level:
            if level.isdigit() and int(level) in LEVELS:
                f.level = int(level)
            else:
                f.notes.append("办理深度的筛选条件无效，已忽略。")
        if f.kind and f.kind not in SERVICE_TYPES:
            f.notes.append("事项类型的筛选条件无效，已忽略。")
            f.kind = ""
        return f

    def apply(self, items, skip=""):
        if self.theme and skip != "theme":
            items = items.filter(extra__themes__contains=[self.theme])
        if self.event and skip != "event":
            items = items.filter(extra__life_events__contains=[self.event])
        if self.site and skip != "site":
            items = items.filter(site__schema_name=self.site)
        if self.level and skip != "level":
            items = items.filter(extra__online_level=self.level)
        if self.kind and skip != "kind":
            items = items.filter(extra__service_item_type=self.kind)
        return items

    def params(self) -> dict:
        return {
            "theme": self.theme,
            "event": self.event,
            "dept": self.site,
            "level": str(self.level or ""),
            "kind": self.kind,
        }


class _Elements(Func):
    """jsonb_array_elements_text(extra -> key): one row per element (a facet's values)."""

    function = "jsonb_array_elements_text"


def _array_counts(items, key) -> dict[str, int]:
    rows = (
        items.annotate(value=_Elements(KeyTransform(key, "extra")))
        .values("value")
        .annotate(n=Count("id"))
        .values_list("value", "n")
    )
    return dict(rows)


def facet_counts(items, filters: Filters, life_events: list[str], themes: list[str]) -> dict:
    """{facet: [Facet]}: each facet counted over the items the *other* filters leave, so a
    visitor sees how many each choice would give."""
    themes_n = _array_counts(filters.apply(items, skip="theme"), "themes")
    events_n = _array_counts(filters.apply(items, skip="event"), "life_events")
    levels_n = dict(
        filters.apply(items, skip="level")
        .annotate(level=Cast(KeyTextTransform("online_level", "extra"), IntegerField()))
        .values("level")
        .annotate(n=Count("id"))
        .values_list("level", "n")
    )
    kinds_n = dict(
        filters.apply(items, skip="kind")
        .annotate(kind=KeyTextTransform("service_item_type", "extra"))
        .values("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    sites_n = list(
        filters.apply(items, skip="site")
        .values("site__schema_name", "site__short_name", "site__legal_name")
        .annotate(n=Count("id"))
        .order_by("site__legal_name")
    )
    return {
        "theme": [
            Facet(t, t, themes_n.get(t, 0), t == filters.theme) for t in themes if themes_n.get(t)
        ],
        "event": [Facet(e, e, events_n.get(e, 0), e == filters.event) for e in life_events],
        "level": [
            Facet(str(n), label, levels_n.get(n, 0), n == filters.level)
            for n, label in LEVELS.items()
        ],
        "kind": [
            Facet(k, label, kinds_n[k], k == filters.kind)
            for k, label in SERVICE_TYPES.items()
            if kinds_n.get(k)
        ],
        "site": [
            Facet(
                row["site__schema_name"],
                row["site__short_name"] or row["site__legal_name"],
                row["n"],
                row["site__schema_name"] == filters.site,
            )
            for row in sites_n
        ],
    }


def listing(items, filters: Filters, page_number):
    chosen = (
        filters.apply(items)
        .select_related("site")
        .only(
            "title",
            "url",
            "summary",
            "extra",
            "site__short_name",
            "site__legal_name",
            "site__schema_name",
        )
        .order_by("site__legal_name", "title", "pk")
    )
    paginator = Paginator(chosen, PER_PAGE)
    return paginator.get_page(page_number)
