"""The annual report (政府网站年度工作报表) per site and year, in the regulator's layout.

The rows follow the 政府网站工作年度报表 of the national guidelines (国办发〔2017〕47号):
网站基本信息, 访问量, 信息发布, 专栏专题, 解读回应, 办事服务, 互动交流, 安全防护, 移动新媒体,
创新发展, and the filler's block. Figures the platform holds are computed from the site's own
data (its pages, this app's counts); figures owned by other areas come from the callables in
`settings.ANNUAL_REPORT_FIGURES` ((website, year) -> {row key: value}); a row nobody fills
says so ("未接入") rather than guessing.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tenants.utils import schema_context

from federation.library.links import absolute_url
from sites.core.models import ArticlePage, ColumnPage
from sites.disclosure import services as disclosure_services

from .models import DefacementAlert, LinkCheckRun, ProbeResult, VisitDay

NOT_CONNECTED = "未接入"
T = ColumnPage.ColumnType


@dataclass
class Row:
    section: str
    label: str
    key: str
    value: object = NOT_CONNECTED
    unit: str = ""


LAYOUT = [
    ("网站基本信息", "网站名称", "name", ""),
    ("网站基本信息", "首页网址", "url", ""),
    ("网站基本信息", "主办单位", "sponsor", ""),
    ("网站基本信息", "网站类型", "kind", ""),
    ("网站基本信息", "政府网站标识码", "site_code", ""),
    ("网站基本信息", "ICP备案号", "icp", ""),
    ("网站基本信息", "公安机关备案号", "police", ""),
    ("访问量", "独立用户访问总量", "unique_visitors", "个"),
    ("访问量", "网站总访问量", "visits", "次"),
    ("信息发布", "总数", "published", "条"),
    ("信息发布", "概况类信息更新量", "published_overview", "条"),
    ("信息发布", "政务动态信息更新量", "published_news", "条"),
    ("信息发布", "信息公开目录信息更新量", "published_catalogue", "条"),
    ("专栏专题", "维护数量", "topics", "个"),
    ("专栏专题", "新开设数量", "topics_new", "个"),
    ("解读回应", "解读信息发布总数", "interpretations", "条"),
    ("解读回应", "其中：解读材料数量", "interpretation_texts", "条"),
    ("解读回应", "其中：解读产品数量", "interpretation_products", "个"),
    ("解读回应", "其中：媒体评论文章数量", "media_comments", "篇"),
    ("解读回应", "回应公众关注热点或重大舆情数量", "responses", "次"),
    ("办事服务", "是否发布服务事项目录", "service_catalogue", ""),
    ("办事服务", "注册用户数", "service_users", "万"),
    ("办事服务", "政务服务事项数量", "service_items", "项"),
    ("办事服务", "可全程在线办理政务服务事项数量", "service_items_online", "项"),
    ("办事服务", "办件量总数", "applications", "件"),
    ("办事服务", "其中：自然人办件量", "applications_people", "件"),
    ("办事服务", "其中：法人办件量", "applications_companies", "件"),
    ("互动交流", "是否使用统一平台", "unified_platform", ""),
    ("互动交流", "收到留言数量", "letters", "条"),
    ("互动交流", "办结留言数量", "letters_done", "条"),
    ("互动交流", "平均办理时间", "letters_days", "天"),
    ("互动交流", "公开答复数量", "letters_published", "条"),
    ("互动交流", "征集调查期数", "surveys", "期"),
    ("互动交流", "收到意见数量", "survey_opinions", "条"),
    ("互动交流", "公布调查结果期数", "survey_results", "期"),
    ("互动交流", "在线访谈期数", "interviews", "期"),
    ("互动交流", "网民留言数量", "interview_questions", "条"),
    ("互动交流", "答复网民提问数量", "interview_answers", "条"),
    ("互动交流", "是否提供智能问答", "smart_qa", ""),
    ("安全防护", "安全检测评估次数", "checks", "次"),
    ("安全防护", "发现问题数量", "problems", "个"),
    ("安全防护", "问题整改数量", "problems_fixed", "个"),
    ("安全防护", "是否建立安全监测预警机制", "monitoring", ""),
    ("安全防护", "是否开展应急演练", "drills", ""),
    ("安全防护", "是否明确网站安全责任人", "responsible", ""),
    ("移动新媒体", "是否有移动新媒体", "new_media", ""),
    ("创新发展", "搜索即服务", "search_service", ""),
    ("创新发展", "多语言版本", "languages", ""),
    ("创新发展", "无障碍浏览", "accessible", ""),
    ("附：政府信息公开", "公开目录发布信息", "disclosure_total", "条"),
    ("附：政府信息公开", "其中：主动公开", "disclosure_active", "条"),
    ("附：政府信息公开", "制发规范性文件", "documents_made", "件"),
    ("附：政府信息公开", "修订规范性文件", "documents_amended", "件"),
    ("附：政府信息公开", "废止规范性文件", "documents_repealed", "件"),
    ("填报信息", "单位名称", "unit", ""),
    ("填报信息", "联系电话", "phone", ""),
    ("填报信息", "填报日期", "filled_on", ""),
]


def _year_range(year):
    tz = timezone.get_current_timezone()
    start = datetime.datetime(year, 1, 1, tzinfo=tz)
    return start, datetime.datetime(year + 1, 1, 1, tzinfo=tz)


def _published(year, **filters) -> int:
    start, end = _year_range(year)
    return (
        ArticlePage.objects.live()
        .filter(first_published_at__gte=start, first_published_at__lt=end, **filters)
        .count()
    )


def _under(column_types) -> dict:
    paths = ColumnPage.objects.filter(column_type__in=column_types).values_list("path", flat=True)
    query = Q(pk__in=[])
    for path in paths:
        query |= Q(path__startswith=path)
    return {"pk__in": ArticlePage.objects.filter(query).values("pk")}


def figures(website, year) -> dict:
    """What the platform itself knows of `website` in `year`."""
    start, end = _year_range(year)
    yes_no = {True: "是", False: "否"}
    found = {
        "name": website.legal_name,
        "url": absolute_url(website, "/"),
        "sponsor": website.sponsor_unit or "—",
        "kind": "政府门户网站" if website.kind in ("portal", "district") else "部门网站",
        "site_code": website.site_code or "—",
        "icp": website.icp_number or "—",
        "police": website.police_record_number or "—",
        "unique_visitors": "不统计（访问计数不使用 Cookie 和个人信息）",
        "visits": VisitDay.objects.filter(website=website, day__year=year).aggregate(
            n=Sum("views")
        )["n"]
        or 0,
        "checks": LinkCheckRun.objects.filter(
            website=website, started_at__gte=start, started_at__lt=end
        ).count(),
        "problems": DefacementAlert.objects.filter(
            website=website, detected_at__gte=start, detected_at__lt=end
        ).count(),
        "problems_fixed": DefacementAlert.objects.filter(
            website=website, detected_at__gte=start, detected_at__lt=end
        )
        .exclude(status=DefacementAlert.Status.OPEN)
        .count(),
        "monitoring": yes_no[
            ProbeResult.objects.filter(
                website=website, started_at__gte=start, started_at__lt=end
            ).exists()
        ],
        "responsible": yes_no[not website.missing_responsibility()],
        "search_service": "是",
        "languages": yes_no[any(code != "zh-hans" for code in website.languages or [])],
        "unit": website.sponsor_unit or website.legal_name,
        "phone": website.contact_phone or "—",
        "filled_on": f"{timezone.localdate():%Y-%m-%d}",
    }
    with schema_context(website.schema_name):
        found["published"] = _published(year)
        found["published_overview"] = _published(year, **_under([T.ORGANISATION]))
        found["published_news"] = _published(year, **_under([T.NEWS, T.NOTICES]))
        disclosure = disclosure_services.yearly_report(year)
        found["published_catalogue"] = disclosure["total"]
        found["disclosure_total"] = disclosure["total"]
        found["disclosure_active"] = dict(disclosure["by_scope"]).get("主动公开", 0)
        made, amended, repealed = (n for _, n in disclosure["documents"])
        found.update(documents_made=made, documents_amended=amended, documents_repealed=repealed)
        topics = ColumnPage.objects.live().filter(column_type=T.TOPICS)
        found["topics"] = topics.count()
        found["topics_new"] = topics.filter(
            first_published_at__gte=start, first_published_at__lt=end
        ).count()
        interpretations = _published(year, **_under([T.INTERPRETATION]))
        found["interpretations"] = interpretations
        found["interpretation_texts"] = interpretations
    return found


def annual_report(website, year) -> list[Row]:
    values = figures(website, year)
    for path in getattr(settings, "ANNUAL_REPORT_FIGURES", []):
        values.update(import_string(path)(website, year) or {})
    return [
        Row(section, label, key, values.get(key, NOT_CONNECTED), unit)
        for section, label, key, unit in LAYOUT
    ]
