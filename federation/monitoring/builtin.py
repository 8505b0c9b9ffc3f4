"""The built-in indicators (O4, the national inspections' defaults in REQUIREMENTS.md).

Each runs in the evaluated site's schema. "An item's date" is the date it shows (发布日期); an
item whose shown date is later than the day it actually went online is *undated* (its date is
not its publication date), and undated items count as not updated (the national rule).
"""

import datetime
from decimal import Decimal

from django.db.models import Count, F, Max, Q
from django.db.models.functions import Substr, TruncDate
from django.utils import timezone
from wagtail.models import Locale, Page

from sites.core.models import ArticlePage, ColumnPage, HomePage

from .indicators import Found, Indicator, Setting
from .models import BrokenLink, ProbeResult

T = ColumnPage.ColumnType

# Column titles that name a yearly-checked subject (人事、规划、领导、机构、财政、统计、目录)
# when the column's type does not say it (a general column, a sub-column of 信息公开).
YEARLY_TITLE_WORDS = (
    "人事",
    "规划",
    "计划",
    "领导",
    "机构",
    "职能",
    "财政",
    "预算",
    "决算",
    "统计",
    "目录",
)
# Columns that front the service hall and the mailboxes: their content is not pages in the
# column, so they are never "empty" (the services and interaction indicators judge them).
NEVER_EMPTY_TYPES = {T.SERVICES, T.INTERACTION}


def _home():
    # the default language's home: a site with English or Mongolian versions has one per language
    return HomePage.objects.filter(locale=Locale.get_default()).first()


def _end_of(day):
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return start + datetime.timedelta(days=1)


def dated_items(home, day):
    """Live items under `home` online by the end of `day` whose shown date is genuine: not later
    than the day they went online (nor than `day`)."""
    return (
        ArticlePage.objects.live()
        .descendant_of(home)
        .filter(Q(first_published_at__isnull=True) | Q(first_published_at__lt=_end_of(day)))
        .annotate(online=TruncDate("first_published_at", tzinfo=timezone.get_current_timezone()))
        .filter(Q(online__isnull=True) | Q(date__lte=F("online")), date__lte=day)
    )


def undated_items(home, day):
    return (
        ArticlePage.objects.live()
        .descendant_of(home)
        .filter(first_published_at__lt=_end_of(day))
        .annotate(online=TruncDate("first_published_at", tzinfo=timezone.get_current_timezone()))
        .filter(Q(date__gt=F("online")) | Q(date__gt=day))
    )


def _columns(home):
    return list(
        ColumnPage.objects.live()
        .descendant_of(home)
        .order_by("path")
        .only("title", "path", "depth", "column_type")
    )


def _by_prefix(queryset, depths, **aggregates) -> dict:
    """{column path: aggregates} of `queryset`'s pages grouped by their ancestor at each depth."""
    found = {}
    for depth in depths:
        rows = (
            queryset.filter(depth__gt=depth)
            .annotate(prefix=Substr("path", 1, depth * Page.steplen))
            .values("prefix")
            .annotate(**aggregates)
        )
        for row in rows:
            found[row["prefix"]] = row
    return found


def _pages_url(page_id) -> str:
    return f"/admin/pages/{page_id}/"


class HomeFreshness(Indicator):
    code = "home.freshness"
    label = "首页更新"
    settings = (
        Setting("home.veto_days", "首页超过多少天未更新即单项否决", 14),
        Setting("home.warn_days", "首页多少天未更新时预警", 10),
    )

    def compute(self, site):
        home = _home()
        if home is None:
            return [Found.veto("网站没有首页", fix="请联系平台运维人员恢复首页")]
        latest = dated_items(home, site.day).aggregate(latest=Max("date"))["latest"]
        veto, warn = site.number("home.veto_days"), site.number("home.warn_days")
        where = dict(admin_path=_pages_url(home.pk))
        if latest is None:
            return [
                Found.veto(
                    "首页没有任何注明日期的信息",
                    fix="在首页展示的栏目（动态、通知公告等）中发布信息",
                    **where,
                )
            ]
        days = (site.day - latest).days
        detail = (
            f"最近一条信息的日期：{latest:%Y-%m-%d}（{days} 天前）。未标注真实日期的信息不算更新。"
        )
        if days >= veto:
            return [
                Found.veto(
                    f"首页 {days} 天未更新（超过 {veto} 天即单项否决）",
                    fix="在首页展示的栏目中发布新信息",
                    detail=detail,
                    **where,
                )
            ]
        if days >= warn:
            return [
                Found.warning(
                    f"首页已 {days} 天未更新，{veto} 天未更新将单项否决",
                    fix="尽快在首页展示的栏目中发布新信息",
                    detail=detail,
                    **where,
                )
            ]
        return []


def column_limit(column, site) -> int | None:
    """Days after which `column` is stale, by its type (or a yearly subject in its title)."""
    kind = column.column_type
    if kind == T.NEWS:
        return site.number("columns.news_days")
    if kind in (T.NOTICES, T.POLICY, T.INTERPRETATION):
        return site.number("columns.notices_days")
    if kind in (T.ORGANISATION, T.DISCLOSURE):
        return site.number("columns.yearly_days")
    if kind == T.GENERAL and any(word in column.title for word in YEARLY_TITLE_WORDS):
        return site.number("columns.yearly_days")
    return None


class ColumnStaleness(Indicator):
    code = "columns.stale"
    label = "栏目更新"
    settings = (
        Setting("columns.news_days", "动态要闻类栏目超过多少天未更新算不更新", 14),
        Setting("columns.notices_days", "通知公告、政策文件类栏目超过多少天未更新算不更新", 183),
        Setting(
            "columns.yearly_days",
            "人事、规划计划、领导、机构职能、财政、统计、公开目录类栏目超过多少天未更新算不更新",
            365,
        ),
        Setting("columns.stale_points", "每个不更新栏目扣分", 2),
        Setting("columns.stale_veto_count", "不更新栏目达到多少个即单项否决", 5),
    )

    def compute(self, site):
        home = _home()
        if home is None:
            return []
        columns = _columns(home)
        depths = {c.depth for c in columns}
        latest = _by_prefix(dated_items(home, site.day), depths, latest=Max("date"))
        items = _by_prefix(ArticlePage.objects.live().descendant_of(home), depths, n=Count("id"))
        stale = []
        for column in columns:
            limit = column_limit(column, site)
            if limit is None or column.path not in items:
                continue  # not a checked kind, or empty (the empty-column indicator's case)
            newest = latest.get(column.path, {}).get("latest")
            days = (site.day - newest).days if newest else None
            if days is None or days >= limit:
                stale.append((column, limit, newest, days))
        findings = []
        points = site.setting("columns.stale_points")
        for column, limit, newest, days in stale:
            since = (
                f"最近一条信息 {newest:%Y-%m-%d}，{days} 天前"
                if newest
                else "没有注明真实日期的信息"
            )
            findings.append(
                Found.deduction(
                    f"栏目「{column.title}」超过 {limit} 天未更新",
                    points,
                    fix=f"在「{column.title}」中发布新信息，或调整栏目设置",
                    detail=since,
                    admin_path=_pages_url(column.pk),
                )
            )
        veto = site.number("columns.stale_veto_count")
        if len(stale) >= veto:
            findings.insert(
                0,
                Found.veto(
                    f"{len(stale)} 个栏目不更新（达到 {veto} 个即单项否决）",
                    fix="逐个更新下列栏目，不再维护的栏目应合并或撤销",
                ),
            )
        return findings


class EmptyColumns(Indicator):
    code = "columns.empty"
    label = "空白栏目"
    settings = (
        Setting("columns.empty_points", "每个空白栏目扣分", 2),
        Setting("columns.empty_veto_count", "空白栏目达到多少个即单项否决", 5),
        Setting("columns.empty_warn_count", "空白栏目达到多少个时预警", 3),
    )

    def compute(self, site):
        home = _home()
        if home is None:
            return []
        columns = _columns(home)
        content = (
            Page.objects.live()
            .descendant_of(home)
            .exclude(content_type__model="columnpage", content_type__app_label="core")
        )
        filled = _by_prefix(content, {c.depth for c in columns}, n=Count("id"))
        empty = [
            c for c in columns if c.path not in filled and c.column_type not in NEVER_EMPTY_TYPES
        ]
        points = site.setting("columns.empty_points")
        findings = [
            Found.deduction(
                f"栏目「{c.title}」没有任何内容",
                points,
                fix=f"在「{c.title}」中发布信息；不需要的栏目请取消发布",
                admin_path=_pages_url(c.pk),
            )
            for c in empty
        ]
        veto, warn = (
            site.number("columns.empty_veto_count"),
            site.number("columns.empty_warn_count"),
        )
        if len(empty) >= veto:
            findings.insert(
                0,
                Found.veto(
                    f"{len(empty)} 个空白栏目（达到 {veto} 个即单项否决）",
                    fix="为下列栏目补充内容，或取消发布不再使用的栏目",
                ),
            )
        elif len(empty) >= warn:
            findings.insert(
                0,
                Found.warning(
                    f"已有 {len(empty)} 个空白栏目，达到 {veto} 个将单项否决",
                    fix="为下列栏目补充内容，或取消发布不再使用的栏目",
                ),
            )
        return findings


class UndatedItems(Indicator):
    code = "items.undated"
    label = "信息日期"
    settings = (
        Setting("items.undated_points", "每条未标注真实日期的信息扣分", Decimal("0.5")),
        Setting("items.undated_cap", "此项最多扣分", 5),
    )

    def compute(self, site):
        home = _home()
        if home is None:
            return []
        items = list(undated_items(home, site.day).order_by("path")[:200])
        if not items:
            return []
        points = min(
            site.setting("items.undated_points") * len(items), site.setting("items.undated_cap")
        )
        shown = "；".join(
            f"{i.title}（标注 {i.date:%Y-%m-%d}，上线 {i.online:%Y-%m-%d}）" for i in items[:10]
        )
        return [
            Found.deduction(
                f"{len(items)} 条信息未标注真实发布日期（标注日期晚于上线日期）",
                points,
                fix="将发布日期改为信息实际发布的日期后重新发布",
                detail=shown,
                admin_path=f"/admin/pages/{items[0].pk}/edit/",
            )
        ]


class Availability(Indicator):
    """站点无法访问, as the national inspections measure it: the **home page** probed at least
    20 times a day with a 15 s timeout; failures at 5 % of the probes or more fail the site. The
    other entry points (search, catalogue, hall, mailbox) are probed too and their failures are
    shown, but they count towards availability only when an operator sets
    `availability.entry_points` to 1 (a stricter local rule)."""

    code = "availability"
    label = "网站可用性"
    settings = (
        Setting("availability.probes_per_day", "每天至少探测次数", 20),
        Setting("availability.timeout_seconds", "探测超时（秒）", 15),
        Setting("availability.veto_percent", "探测失败率达到多少（%）即单项否决", 5),
        Setting("availability.warn_percent", "可用率低于多少（%）时预警", 97),
        Setting("availability.failure_points", "每次探测失败扣分", 1),
        Setting("availability.cap", "此项最多扣分", 20),
        Setting(
            "availability.entry_points",
            "可用率计入首页以外的入口（0：只计首页；1：计入全部入口）",
            0,
            help="国家检查指标只对首页探测；设为 1 则搜索、目录、办事大厅、信箱等入口的失败也计入",
        ),
        Setting(
            "availability.outage_probes",
            "首页连续多少次探测失败即报告网站安全事件（无法访问）",
            2,
        ),
    )

    def compute(self, site):
        start, end = site.window
        probed = ProbeResult.objects.filter(
            website=site.website, started_at__gte=start, started_at__lt=end, absent=False
        )
        every_entry = site.number("availability.entry_points") >= 1
        rows = probed if every_entry else probed.filter(path="/")
        counts = rows.aggregate(total=Count("id"), failed=Count("id", filter=Q(ok=False)))
        total, failed = counts["total"], counts["failed"]
        rounds = probed.filter(path="/").count()
        where = dict(admin_path="/admin/monitoring/")
        findings = [] if every_entry else self._entry_failures(probed, where)
        if not total:
            return [Found.note("当天没有首页探测记录，可用性未评估", **where), *findings]
        percent = Decimal(failed * 100) / total
        available = 100 - percent
        counted = f"{total} 次探测" if every_entry else f"首页 {total} 次探测"
        detail = f"{counted}（首页 {rounds} 轮），失败 {failed} 次，可用率 {available:.1f}%"
        if rounds < site.number("availability.probes_per_day"):
            findings.append(
                Found.note(
                    f"首页仅探测 {rounds} 次，少于每天 {site.number('availability.probes_per_day')} 次",
                    detail=detail,
                    **where,
                )
            )
        if percent >= site.setting("availability.veto_percent"):
            findings.append(
                Found.veto(
                    f"网站无法访问的比例 {percent:.1f}%（达到 {site.setting('availability.veto_percent')}% 即单项否决）",
                    fix="检查服务器与网络，必要时启动应急预案；恢复后可在监测页查看最新探测",
                    detail=detail,
                    **where,
                )
            )
        elif available < site.setting("availability.warn_percent"):
            findings.append(
                Found.warning(
                    f"可用率 {available:.1f}%，低于 {site.setting('availability.warn_percent')}%",
                    fix="检查失败的探测记录，排查网站故障",
                    detail=detail,
                    **where,
                )
            )
        if failed:
            points = min(
                site.setting("availability.failure_points") * failed,
                site.setting("availability.cap"),
            )
            findings.append(Found.deduction(f"{failed} 次探测失败", points, detail=detail, **where))
        return findings

    @staticmethod
    def _entry_failures(probed, where) -> list:
        """Entry points other than the home page that failed: shown, not counted (the rule)."""
        failing = (
            probed.exclude(path="/")
            .values("entry", "path")
            .annotate(total=Count("id"), failed=Count("id", filter=Q(ok=False)))
            .filter(failed__gt=0)
            .order_by("path")
        )
        return [
            Found.note(
                f"{row['entry']}（{row['path']}）{row['total']} 次探测失败 {row['failed']} 次",
                fix="检查该入口的页面或服务；不计入可用率（国家指标只计首页）",
                **where,
            )
            for row in failing
        ]


class BrokenLinks(Indicator):
    code = "links.broken"
    label = "链接可用性"
    settings = (
        Setting("links.home_points", "首页每个失效链接扣分", 1),
        Setting("links.page_points", "其他页面每个失效链接扣分", Decimal("0.1")),
        Setting("links.cap", "此项最多扣分", 20),
    )

    def compute(self, site):
        broken = BrokenLink.objects.filter(website=site.website)
        on_home = broken.filter(on_home=True).count()
        elsewhere = broken.filter(on_home=False).count()
        if not on_home and not elsewhere:
            return []
        points = min(
            site.setting("links.home_points") * on_home
            + site.setting("links.page_points") * elsewhere,
            site.setting("links.cap"),
        )
        return [
            Found.deduction(
                f"{on_home + elsewhere} 个失效链接（首页 {on_home} 个）",
                points,
                fix="在“失效链接”页逐个修改或删除链接，改好后点“重新检查”",
                admin_path="/admin/monitoring/links/",
            )
        ]
