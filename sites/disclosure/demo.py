"""Demo government information for one site of the demo city (issue 3, item 6).

`seed(website)` gives a site at least 30 disclosure items across every type: normative
documents (some repealed by later ones), a law, interpretations linked to documents, news
and notices, statistics releases with tables, leadership profiles, organisation and
functions, emergency information, and a topic page. Idempotent: items are found by slug and
left alone on a second run. All content is fictional.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context
from wagtail.models import Page

from sites.core.models import ColumnPage, HomePage

from .models import (
    Department,
    DisclosureArticlePage,
    EmergencyInformationPage,
    LeaderProfilePage,
    OrganisationPage,
    PolicyDocumentPage,
    PolicyInterpretationPage,
    StatisticsReleasePage,
    TopicCategory,
    TopicPage,
)
from .provisioning import ensure_catalogue_page
from .workflows import ensure_review_workflows

T = ColumnPage.ColumnType

# (slug, title pattern, topic category, genre, department index, days ago written)
DOCUMENTS = [
    ("doc-01", "{name}关于进一步优化营商环境的若干措施", "国民经济管理、国有资产监管", "measures", 1, 40),
    ("doc-02", "{name}城市道路挖掘管理办法", "城乡建设、环境保护", "measures", 0, 95),
    ("doc-03", "{name}财政专项资金管理办法", "财政、金融、审计", "measures", 2, 130),
    ("doc-04", "{name}关于做好今冬明春供暖保障工作的通知", "城乡建设、环境保护", "notice", 0, 170),
    ("doc-05", "{name}重大行政决策程序规定", "综合政务", "measures", 0, 220),
    ("doc-06", "{name}关于促进就业创业的实施意见", "劳动、人事、监察", "opinion", 1, 260),
    ("doc-07", "{name}政府信息公开工作规范", "综合政务", "measures", 0, 300),
    ("doc-08", "{name}安全生产责任制实施办法", "市场监管、安全生产监管", "measures", 3, 345),
]
# older documents repealed (废止) or amended by the newer ones above: (slug, title, by, validity)
SUPERSEDED = [
    ("doc-old-1", "{name}城市道路挖掘管理暂行办法", "doc-02", "repealed", 1500),
    ("doc-old-2", "{name}财政专项资金管理暂行办法", "doc-03", "repealed", 1300),
    ("doc-old-3", "{name}重大行政决策程序暂行规定", "doc-05", "amended", 1100),
]
INTERPRETATIONS = [("jd-01", "doc-01", "一图读懂《{title}》"), ("jd-02", "doc-02", "《{title}》政策解读"),
                   ("jd-03", "doc-03", "《{title}》起草说明"), ("jd-04", "doc-05", "解读《{title}》"),
                   ("jd-05", "doc-06", "《{title}》答记者问")]
NEWS = [
    ("xw-01", "{name}召开全体会议部署重点工作", "news", 3),
    ("xw-02", "{name}开展安全生产大检查", "news", 9),
    ("xw-03", "{name}推进“一网通办”改革见成效", "news", 16),
    ("xw-04", "{name}举办政务公开开放日活动", "news", 24),
    ("xw-05", "{name}召开优化营商环境工作推进会", "news", 33),
    ("tz-01", "关于公开征求《{name}城市管理条例（草案）》意见的公告", "announcement", 5),
    ("tz-02", "关于调整部分公交线路的通告", "public_notice", 12),
    ("tz-03", "关于开展2026年度政务公开培训的通知", "notice", 20),
    ("tz-04", "关于公布政府信息公开指南的通知", "notice", 45),
]
STATISTICS = [
    ("tj-01", "{name}2025年国民经济主要指标", "2025年", "主要指标增速", "%",
     [("地区生产总值", "5.8"), ("规模以上工业增加值", "7.1"), ("固定资产投资", "-2.4"),
      ("社会消费品零售总额", "4.9"), ("一般公共预算收入", "6.3")]),
    ("tj-02", "{name}2026年一季度政府信息公开情况统计", "2026年一季度", "各类信息公开数量", "条",
     [("主动公开信息", "412"), ("政策文件", "36"), ("政策解读", "21"), ("依申请公开答复", "18")]),
]
LEADERS = [("ld-01", "张建国", "主要负责人", "主持全面工作，分管办公室、财政工作。"),
           ("ld-02", "李秀兰", "副职负责人", "负责政务公开、法治建设和信访工作。"),
           ("ld-03", "王志强", "副职负责人", "负责安全生产、应急管理和城市建设工作。")]


def seed(website) -> int:
    """Give `website` its demo disclosure content. Returns the number of items created."""
    with schema_context(website.schema_name), transaction.atomic():
        return _seed(website)


def _seed(website) -> int:
    home = HomePage.objects.first()
    if home is None:
        return 0
    ensure_review_workflows()
    ensure_catalogue_page(home)
    name = website.short_name or website.legal_name
    departments = _departments(website)
    categories = {c.name: c for c in TopicCategory.objects.all()}
    today = timezone.localdate()
    abbr = name.removeprefix("市").removesuffix("区").removesuffix("局").removesuffix("委员会")[:4]
    made = 0

    columns = {t: ColumnPage.objects.child_of(home).filter(column_type=t).first() for t in T.values}
    disclosure = columns[T.DISCLOSURE] or ColumnPage.objects.child_of(home).first()

    def column(*types):
        return next((columns[t] for t in types if columns.get(t)), disclosure)

    def add(parent, cls, slug, **fields):
        nonlocal made
        existing = Page.objects.child_of(parent).filter(slug=slug).first()
        if existing:
            return existing.specific
        fields.setdefault("topic_category", categories["综合政务"])
        fields.setdefault("department", departments[0])
        fields.setdefault("source", website.legal_name)
        fields.setdefault("body", [("paragraph", f"<p>{fields['title']}。{_body(name)}</p>")])
        page = parent.add_child(instance=cls(slug=slug, live=False, **fields))
        page.save_revision().publish()
        made += 1
        return page

    policy = column(T.POLICY, T.DISCLOSURE)
    documents = {}
    for n, (slug, title, category, genre, dept, days) in enumerate(DOCUMENTS, start=1):
        written = today - datetime.timedelta(days=days)
        documents[slug] = add(
            policy, PolicyDocumentPage, slug, title=title.format(name=name), genre=genre,
            topic_category=categories[category], department=departments[dept],
            document_kind="normative", issuing_body=website.legal_name,
            document_number=f"{abbr}发〔{written.year}〕{n}号", validity="in_force",
            date_written=written, date=written + datetime.timedelta(days=3),
            summary=f"{title.format(name=name)}，自发布之日起施行。")
    add(policy, PolicyDocumentPage, "law-01", title="中华人民共和国政府信息公开条例",
        genre="order", document_kind="law", issuing_body="国务院",
        document_number="国务院令第711号", validity="in_force",
        date_written=datetime.date(2019, 4, 3), date=datetime.date(2019, 4, 15))
    for n, (slug, title, by, validity, days) in enumerate(SUPERSEDED, start=20):
        written = today - datetime.timedelta(days=days)
        newer = documents[by]
        add(policy, PolicyDocumentPage, slug, title=title.format(name=name), genre="measures",
            document_kind="normative", issuing_body=website.legal_name,
            document_number=f"{abbr}发〔{written.year}〕{n}号", validity=validity,
            superseded_by=Page.objects.get(pk=newer.pk), validity_changed_on=newer.date,
            date_written=written, date=written + datetime.timedelta(days=5))

    interpretations = column(T.INTERPRETATION, T.POLICY, T.DISCLOSURE)
    for slug, target, title in INTERPRETATIONS:
        document = documents[target]
        add(interpretations, PolicyInterpretationPage, slug,
            title=title.format(title=document.title), genre="interpretation",
            interpreted_document=Page.objects.get(pk=document.pk),
            topic_category=document.topic_category, department=document.department,
            interpreter=f"{name}司法局", date=document.date + datetime.timedelta(days=1),
            summary=f"围绕《{document.title}》的出台背景、主要内容和适用范围进行解读。")

    for slug, title, genre, days in NEWS:
        parent = column(T.NEWS) if slug.startswith("xw") else column(T.NOTICES)
        add(parent, DisclosureArticlePage, slug, title=title.format(name=name), genre=genre,
            date=today - datetime.timedelta(days=days), department=departments[days % len(departments)])

    for slug, title, period, caption, unit, rows in STATISTICS:
        add(disclosure, StatisticsReleasePage, slug, title=title.format(name=name),
            genre="statistics", period=period, topic_category=categories["国民经济管理、国有资产监管"],
            department=departments[-1], date=today - datetime.timedelta(days=30),
            datasets=[("dataset", {"caption": caption, "unit": unit, "source_note": f"{name}统计部门",
                                   "rows": [{"label": k, "value": Decimal(v)} for k, v in rows]})],
            body=[])

    for order, (slug, person, post, duty) in enumerate(LEADERS):
        add(column(T.ORGANISATION, T.DISCLOSURE), LeaderProfilePage, slug,
            title=f"{post} {person}", genre="profile", person_name=person,
            position=f"{website.legal_name}{post}", responsibilities=duty,
            date=today - datetime.timedelta(days=200 + order),
            body=[("paragraph", f"<p>{person}，汉族，大学学历，长期从事地方政府工作。</p>")])
    add(column(T.ORGANISATION, T.DISCLOSURE), OrganisationPage, "jgzn-01",
        title=f"{website.legal_name}机构职能", genre="profile",
        functions=f"<p>贯彻执行国家和自治区有关方针政策，负责{name}职责范围内的行政管理和公共服务工作。</p>",
        internal_units="办公室\n政策法规科\n综合业务科", address=website.address or "",
        phone=website.contact_phone or "", office_hours="工作日 8:30—12:00，14:30—17:30",
        date=today - datetime.timedelta(days=190), body=[])
    add(column(T.NOTICES), EmergencyInformationPage, "tf-01",
        title=f"{name}关于应对强降雨天气的紧急通知", genre="emergency", level="4",
        event_kind="natural", status="closed",
        occurred_at=timezone.now() - datetime.timedelta(days=60),
        date=today - datetime.timedelta(days=60), topic_category=categories["民政、扶贫、救灾"],
        public_guidance="减少不必要的外出，远离河道、低洼地带，注意用电安全。")

    topic_parent = column(T.TOPICS, T.DISCLOSURE)
    if not Page.objects.child_of(topic_parent).filter(slug="zt-yshj").exists():
        topic = topic_parent.add_child(instance=TopicPage(
            title="优化营商环境专题", slug="zt-yshj", live=False,
            intro=f"集中发布{name}优化营商环境的政策文件、解读和工作动态。"))
        for order, slug in enumerate(["doc-01", "jd-01", "xw-05"]):
            item = Page.objects.filter(slug=slug).first()
            if item:
                topic.items.create(page_id=item.pk, sort_order=order)
        topic.save_revision().publish()
    return made


def _departments(website):
    name = website.short_name or website.legal_name
    units = ([f"{name}办公室", f"{name}政策法规科", f"{name}综合业务科", f"{name}财务科"]
             if website.kind == "department" else
             [f"{name}政府办公室", f"{name}发展和改革委员会", f"{name}财政局", f"{name}统计局"])
    return [Department.objects.get_or_create(name=unit[:60], defaults={"sort_order": i})[0]
            for i, unit in enumerate(units, start=1)]


def _body(name):
    return (f"为进一步做好相关工作，结合{name}实际，现就有关事项说明如下。"
            "各单位要提高认识，加强组织领导，明确责任分工，确保各项措施落到实处。")
