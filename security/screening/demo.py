"""The demo city's 错敏词 dictionaries (a DEMO_CITY_SEEDERS step; idempotent, bulk writes).

Platform-wide: the fictional leaders of 乌海市 with their titles (the titles the demo articles
use: 市长, 副市长, 秘书长), their names with a wrong character, institution names from before
the 2018–2019 reforms, common mistakes and a few spam-like sensitive words. Per site: one
district's own leader and an outdated name of one of its bureaus. All names are fictional.
"""

from django.db import transaction
from django_tenants.utils import get_tenant_model, schema_context

from . import services
from .models import Kind, OfficialTitle, ScreeningTerm

LEADERS = [  # (name, title, organisation)
    ("赵立新", "市委书记", "中共乌海市委员会"),
    ("张建国", "市长", "乌海市人民政府"),
    ("张建国", "市委副书记", "中共乌海市委员会"),
    ("李文华", "常务副市长", "乌海市人民政府"),
    ("陈晓东", "副市长", "乌海市人民政府"),
    ("刘志强", "秘书长", "乌海市人民政府"),
]
WRONG_NAMES = [
    ("张建困", "张建国"),
    ("李文化", "李文华"),
    ("陈小东", "陈晓东"),
    ("赵立兴", "赵立新"),
]
OUTDATED = [
    ("乌海市卫生局", "乌海市卫生健康委员会"),
    ("乌海市卫生和计划生育委员会", "乌海市卫生健康委员会"),
    ("乌海市国土资源局", "乌海市自然资源局"),
    ("乌海市环境保护局", "乌海市生态环境局"),
    ("乌海市安全生产监督管理局", "乌海市应急管理局"),
    ("乌海市工商行政管理局", "乌海市市场监督管理局"),
    ("乌海市食品药品监督管理局", "乌海市市场监督管理局"),
    ("乌海市城乡规划局", "乌海市自然资源局"),
]
MISTAKES = [
    ("既使", "即使"),
    ("按装", "安装"),
    ("再接再励", "再接再厉"),
    ("一愁莫展", "一筹莫展"),
    ("迫不急待", "迫不及待"),
    ("甘败下风", "甘拜下风"),
    ("蛛丝蚂迹", "蛛丝马迹"),
    ("明信片儿", "明信片"),
    ("十四五规划纲要", "“十四五”规划纲要"),
    ("中华人民共合国", "中华人民共和国"),
]
SENSITIVE = ["代开发票", "办证刻章", "六合彩开奖", "网络赌博平台"]
DISTRICT = "hainan"  # 海南区: its own leader and a bureau's old name
DISTRICT_LEADERS = [("孙丽萍", "区长", "乌海市海南区人民政府")]
DISTRICT_TERMS = [
    (Kind.OFFICIAL_NAME, "孙丽平", "孙丽萍", "区长姓名"),
    (Kind.OFFICIAL_NAME, "海南区卫生局", "海南区卫生健康委员会", "机构改革后已更名"),
]


def _terms(rows):
    return [
        ScreeningTerm(kind=kind, term=term, suggestion=suggestion, severity="", note=note)
        for kind, term, suggestion, note in rows
    ]


def _write(terms, titles):
    for term in terms:
        term.severity = term.severity or services.DEFAULT_SEVERITY[term.kind]
    with transaction.atomic():
        ScreeningTerm.objects.bulk_create(terms, ignore_conflicts=True)
        OfficialTitle.objects.bulk_create(
            [
                OfficialTitle(person=p, title=t, organisation=o, sort_order=n)
                for n, (p, t, o) in enumerate(titles)
            ],
            ignore_conflicts=True,
        )
        services.bump()


def seed():
    platform = _terms(
        [(Kind.OFFICIAL_NAME, w, r, "领导姓名") for w, r in WRONG_NAMES]
        + [(Kind.OFFICIAL_NAME, w, r, "机构改革后已更名") for w, r in OUTDATED]
        + [(Kind.MISTAKE, w, r, "") for w, r in MISTAKES]
        + [(Kind.SENSITIVE, w, "", "") for w in SENSITIVE]
    )
    with schema_context("public"):
        _write(platform, LEADERS)
        district = get_tenant_model().objects.filter(schema_name=DISTRICT).first()
    if district is not None:
        with schema_context(district.schema_name):
            _write(_terms(DISTRICT_TERMS), DISTRICT_LEADERS)
