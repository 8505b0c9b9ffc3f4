"""The hall's listing (S2): service items read from the library alone, filtered by facet,
with the count of each facet value. A fixed number of queries whatever the number of items:
one scan for every facet (FACETS_SQL), the count and one page of the list.

The listing and the counts read the hall's narrow table (HallEntry: the library's current
service items with their facets as columns, kept by the library consumer in entries.py), never
the library's `extra`, where the whole guide of each item lies. An item's page reads its guide
from the library row itself (one row by its key).

On the portal: every department's items. On any other site: its own (the same view).
"""

from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db import connection

from federation.library.models import ItemType, LibraryItem
from tenants.models import Website

from .models import HallEntry

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


def hall_entries(website=None):
    """The same items as the hall's narrow rows (HallEntry)."""
    entries = HallEntry.objects.all()
    if website is not None and website.kind != Website.Kind.PORTAL:
        entries = entries.filter(site=website)
    return entries


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

    def apply(self, entries):
        """Filter HallEntry rows."""
        if self.theme:
            entries = entries.filter(themes__contains=[self.theme])
        if self.event:
            entries = entries.filter(life_events__contains=[self.event])
        if self.site:
            entries = entries.filter(site__schema_name=self.site)
        if self.level:
            entries = entries.filter(online_level=self.level)
        if self.kind:
            entries = entries.filter(service_type=self.kind)
        return entries

    def params(self) -> dict:
        return {
            "theme": self.theme,
            "event": self.event,
            "dept": self.site,
            "level": str(self.level or ""),
            "kind": self.kind,
        }


# One scan of the hall's narrow rows for every facet: each facet is counted over the rows the
# *other* filters leave, so a visitor sees how many each choice would give.
FACETS_SQL = """
WITH s AS MATERIALIZED (
    SELECT site_id, themes, life_events AS events, online_level AS level, service_type AS kind
    FROM {table}
    {own_site}
)
SELECT 'theme', t.v, count(*), NULL, NULL FROM s, unnest(s.themes) AS t(v)
    WHERE {not_theme} GROUP BY 2
UNION ALL
SELECT 'event', e.v, count(*), NULL, NULL FROM s, unnest(s.events) AS e(v)
    WHERE {not_event} GROUP BY 2
UNION ALL SELECT 'level', s.level::text, count(*), NULL, NULL FROM s WHERE {not_level} GROUP BY 2
UNION ALL SELECT 'kind', s.kind, count(*), NULL, NULL FROM s WHERE {not_kind} GROUP BY 2
UNION ALL SELECT 'site', w.schema_name, count(*), w.legal_name, w.short_name
    FROM s JOIN {sites} w ON w.id = s.site_id WHERE {not_site} GROUP BY w.id
"""


def _conditions(filters: "Filters") -> dict[str, tuple[str, list]]:
    """Each active filter as SQL over the CTE's columns, with its parameter."""
    found = {}
    if filters.theme:
        found["theme"] = ("%s = ANY(s.themes)", [filters.theme])
    if filters.event:
        found["event"] = ("%s = ANY(s.events)", [filters.event])
    if filters.level:
        found["level"] = ("s.level = %s", [filters.level])
    if filters.kind:
        found["kind"] = ("s.kind = %s", [filters.kind])
    if filters.site:
        found["site"] = (
            "s.site_id = (SELECT id FROM {sites} WHERE schema_name = %s)",
            [filters.site],
        )
    return found


def facet_counts(
    website, filters: Filters, life_events: list[str], themes: list[str]
) -> tuple[dict, int]:
    """({facet: [Facet]}, the number of rows all filters leave) for the hall of `website` (the
    portal: every site), in one query. Every row has one online level, so the level facet,
    counted over what the other filters leave, also gives the listing's count."""
    own = website is not None and website.kind != Website.Kind.PORTAL
    conditions = _conditions(filters)
    where, params = {}, [website.pk] if own else []
    for facet in ("theme", "event", "level", "kind", "site"):
        others = [c for name, c in conditions.items() if name != facet]
        where[f"not_{facet}"] = (
            " AND ".join(sql for sql, _ in others).replace("{sites}", Website._meta.db_table)
            or "TRUE"
        )
        params += [p for _, ps in others for p in ps]
    sql = FACETS_SQL.format(
        table=HallEntry._meta.db_table,
        sites=Website._meta.db_table,
        own_site="WHERE site_id = %s" if own else "",
        **where,
    )
    counts = {"theme": {}, "event": {}, "level": {}, "kind": {}, "site": {}}
    names = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for facet, value, n, legal, short in cursor.fetchall():
            counts[facet][value] = n
            if facet == "site":
                names[value] = (legal, short or legal)
    levels = counts["level"]
    total = levels.get(str(filters.level), 0) if filters.level else sum(levels.values())
    facets = {
        "theme": [
            Facet(t, t, counts["theme"][t], t == filters.theme)
            for t in themes
            if counts["theme"].get(t)
        ],
        "event": [Facet(e, e, counts["event"].get(e, 0), e == filters.event) for e in life_events],
        "level": [
            Facet(str(n), label, levels.get(str(n), 0), n == filters.level)
            for n, label in LEVELS.items()
        ],
        "kind": [
            Facet(k, label, counts["kind"][k], k == filters.kind)
            for k, label in SERVICE_TYPES.items()
            if counts["kind"].get(k)
        ],
        "site": [
            Facet(schema, name, counts["site"][schema], schema == filters.site)
            for schema, (_, name) in sorted(names.items(), key=lambda kv: kv[1][0])
        ],
    }
    return facets, total


class CountedPaginator(Paginator):
    """A paginator told how many rows there are (the facet query counted them already)."""

    def __init__(self, object_list, per_page, count: int):
        super().__init__(object_list, per_page)
        self._count = count

    @property
    def count(self) -> int:
        return self._count


def listing(website, filters: Filters, page_number, count: int):
    """One page of the hall's rows, by department and title."""
    chosen = (
        filters.apply(hall_entries(website))
        .select_related("site")
        .only(
            "title",
            "url",
            "summary",
            "online_level",
            "service_type",
            "site__short_name",
            "site__legal_name",
            "site__schema_name",
        )
        .order_by("site__legal_name", "title", "pk")
    )
    return CountedPaginator(chosen, PER_PAGE, count).get_page(page_number)
