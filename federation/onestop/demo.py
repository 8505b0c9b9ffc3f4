"""The demo city's hall: its narrow table, the life-event list and a few applications in
different states (a city seeder, DEMO_CITY_SEEDERS, run after the library has every site's
items). The library loads a fresh city without consumer steps (federation.library.demo): the
hall's rows are written here from the library in one pass, as search builds its index.

Idempotent: each demo application has its own client token, so a second run opens nothing
and moves nothing. Applicants are invented (张*, phone 0473-0000xxxx, no real ID numbers).
"""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from federation.casework import services as casework
from federation.casework.models import Case
from federation.library.models import LibraryItem
from tenants.models import Website

from . import entries
from .apply import CONSENT_TEXT, KIND, working_days
from .models import HallEntry
from .services import ensure_life_events

PDF = b"%PDF-1.4\n% demo material\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# (item slug's page title, applicant, days ago opened, steps to take)
APPLICATIONS = [
    ("民办幼儿园设立审批", "王晓梅", 12, ["accept", "parallel_answer"]),
    (
        "民办幼儿园设立审批",
        "乌海市启航教育咨询有限公司",
        25,
        ["accept", "parallel_answer", "complete"],
    ),
    ("教师资格认定", "李娜", 2, []),
    ("教师资格认定", "赵磊", 6, ["request_supplement"]),
    ("医师执业注册", "孙浩", 8, ["accept", "start"]),
    ("道路货物运输经营许可", "乌海市顺达物流有限公司", 15, ["accept", "start", "complete"]),
    ("建设项目环境影响报告书审批", "乌海市新能化工有限公司", 20, ["accept"]),
    ("公共场所卫生许可", "海勃湾区悦来宾馆", 4, ["refuse"]),
]


def seed() -> dict:
    ensure_life_events()
    done = {}
    current = LibraryItem.objects.filter(item_type="service", withdrawn=False)
    if current.exclude(pk__in=HallEntry.objects.values("item_id")).exists():
        done["hall_entries"] = entries.rebuild()
    opened = 0
    for n, (title, applicant, days_ago, steps) in enumerate(APPLICATIONS, 1):
        token = f"demo-application-{n}"
        if Case.objects.filter(client_token=token).exists():
            continue
        item = (
            LibraryItem.objects.filter(item_type="service", withdrawn=False, title=title)
            .select_related("site")
            .first()
        )
        if item is None:
            continue  # the item is not in this city's data
        opened += _application(item, applicant, days_ago, steps, token, n)
    if opened:
        done["applications"] = opened
    return done


def _application(item, applicant, days_ago, steps, token, n) -> int:
    guide = item.extra.get("guide") or {}
    parallel = list(Website.objects.filter(schema_name__in=guide.get("parallel_sites") or []))
    materials = [m["name"] for m in guide.get("materials") or [] if m.get("required")][:2]
    opened_at = timezone.now() - datetime.timedelta(days=days_ago)
    case, _code = casework.open_case(
        KIND,
        lead_site=item.site,
        sites=parallel,
        title=item.title,
        subject_key=item.item_key,
        subject_title=item.title,
        subject_url=item.url,
        applicant={
            "name": applicant,
            "id_number": "",
            "phone": f"0473-0000{n:04d}",
            "email": "",
        },
        content={"note": "（演示申请）", "consent": CONSENT_TEXT},
        attachments=[(name, ContentFile(PDF, name=f"{name[:20]}.pdf")) for name in materials],
        client_token=token,
        deadline_working_days=working_days(guide),
        opened_at=opened_at,
    )
    lead = item.site
    for step in steps:
        if step == "accept":
            casework.accept(case, lead, note="材料齐全，予以受理。")
            for site in parallel:
                casework.accept(case, site, note="已收到并联审批材料。")
        elif step == "start":
            casework.start(case, lead, note="进入审查。")
        elif step == "parallel_answer":
            for site in parallel:
                casework.start(case, site)
                casework.answer(case, site, note="经审查，卫生保健条件符合要求，同意。")
        elif step == "request_supplement":
            casework.request_supplement(
                case, lead, missing="请补充普通话水平测试等级证书（二级乙等及以上）。"
            )
        elif step == "refuse":
            casework.refuse(
                case, lead, reason="经营场所不在本部门管辖范围，请向所在区卫生健康部门申请。"
            )
        elif step == "complete":
            casework.complete(
                case,
                lead,
                note="准予许可。",
                files=[("许可决定书", ContentFile(PDF, name="许可决定书.pdf"))],
            )
    return 1
