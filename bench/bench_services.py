"""Online services (issue 14): the hall, an item's guide, a handler's case list, the S5 figures.

Setup (printed by the run):
- BENCH_SERVICES_SITES department sites (default 40, real tenants provisioned as any site) and
  the portal.
- BENCH_SERVICES_ITEMS service items (default 2,000, spread evenly) written to the library in
  bulk as their pages' projections would be (facets and the whole guide in `extra`), and the
  hall's narrow rows written from them (`entries.rebuild`, what the library's "hall" consumer
  writes after each publish): the hall reads the library only, so this is what it reads after
  2,000 publishes.
- BENCH_SERVICES_CASES applications (default 50,000) in bulk: cases and tasks (a fifth of
  them parallel, with a second department), opened over the last 180 days, in every state,
  with deadlines from the working-day calendar.
- Requests go through Django's whole stack in-process (test Client: middleware, tenant by
  host, templates), the page cache off (uncached). The admin views run as a superuser with
  TWO_FACTOR_ENFORCED off (the 2FA check is a session lookup; not what is measured here).
"""

import datetime
import os
import random
import uuid

from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from bench import harness
from tenants import services
from tenants.workdays import add_working_days

SITES = int(os.environ.get("BENCH_SERVICES_SITES", "40"))
ITEMS = int(os.environ.get("BENCH_SERVICES_ITEMS", "2000"))
CASES = int(os.environ.get("BENCH_SERVICES_CASES", "50000"))
REPEAT = int(os.environ.get("BENCH_SERVICES_REPEAT", "100"))

THEMES = [
    "教育科研",
    "医疗卫生",
    "社会保障",
    "就业创业",
    "交通出行",
    "环境保护",
    "企业开办",
    "工程建设",
]
EVENTS = [
    "生育收养",
    "上学",
    "就业创业",
    "婚姻",
    "住房",
    "社会保障",
    "医疗",
    "交通出行",
    "退休养老",
]
KINDS = ["licensing", "licensing", "confirmation", "payment", "public_service", "other_power"]
NAMES = ["经营许可", "执业注册", "资格认定", "登记", "备案", "补贴申请", "证明出具", "变更审批"]
SUBJECTS = [
    "道路运输",
    "医疗机构",
    "教师",
    "公共场所卫生",
    "排污",
    "建设项目",
    "民办学校",
    "养老机构",
]


def guide(rng, title, kind, level, parallel):
    return {
        "item_code": f"1115{rng.randrange(10**12):012d}",
        "item_type": kind,
        "item_type_label": kind,
        "audience": "个人和法人",
        "online_level": level,
        "online_level_label": str(level),
        "summary": f"{title}的办事指南。",
        "legal_basis": "《中华人民共和国行政许可法》第十二条；相关行政法规和地方性法规。",
        "conditions": "申请人符合法定条件，材料齐全、符合法定形式。" * 3,
        "materials": [
            {
                "name": f"{title}申请材料{n}",
                "form": "original",
                "form_label": "原件",
                "copies": 1,
                "required": n < 3,
                "note": "",
                "blank_form": {"title": "申请表", "url": "/documents/1/form.xlsx", "ext": "xlsx"}
                if n == 0
                else None,
                "sample": None,
            }
            for n in range(5)
        ],
        "steps": [{"name": s, "description": f"{s}说明"} for s in ("申请", "受理", "审查", "决定")],
        "statutory_limit_days": 20,
        "promised_limit_days": 10,
        "result_name": "许可证",
        "charges_fee": False,
        "fee_standard": "不收费",
        "fee_basis": "",
        "place": "政务服务中心",
        "hours": "工作日",
        "consult_phone": "0473-0000000",
        "complaint_phone": "12345",
        "themes": rng.sample(THEMES, 2),
        "life_events": rng.sample(EVENTS, 1),
        "parallel_sites": parallel,
    }


def seed_items(sites, rng):
    from federation.library.models import LibraryItem

    now = timezone.now()
    rows = []
    for n in range(ITEMS):
        site = sites[n % len(sites)]
        title = f"{rng.choice(SUBJECTS)}{rng.choice(NAMES)}（{n}）"
        kind, level = rng.choice(KINDS), rng.choice([1, 2, 3, 3, 4])
        parallel = [sites[(n + 1) % len(sites)].schema_name] if n % 10 == 0 else []
        g = guide(rng, title, kind, level, parallel)
        rows.append(
            LibraryItem(
                site=site,
                item_key=f"{site.schema_name}:{uuid.uuid4()}",
                page_id=100_000 + n,
                page_model="services.serviceitempage",
                item_type="service",
                category="网上办事",
                title=title,
                summary=g["summary"],
                text=g["conditions"],
                url=f"http://{site.primary_domain}/wsbs/item-{n}/",
                published_at=now,
                first_published_at=now,
                updated_at=now,
                extra={
                    "service_item_type": kind,
                    "online_level": level,
                    "themes": g["themes"],
                    "life_events": g["life_events"],
                    "parallel_sites": parallel,
                    "guide": g,
                },
            )
        )
    LibraryItem.objects.bulk_create(rows, batch_size=1000)
    return rows


def seed_cases(sites, items, rng):
    from federation.casework.models import Case, CaseStatus, CaseTask, TaskStatus

    deadlines = {}

    def deadline(day, days):
        if (day, days) not in deadlines:
            deadlines[(day, days)] = add_working_days(day, days).date
        return deadlines[(day, days)]

    statuses = [
        (CaseStatus.SUBMITTED, TaskStatus.PENDING),
        (CaseStatus.ACCEPTED, TaskStatus.ACCEPTED),
        (CaseStatus.IN_PROGRESS, TaskStatus.IN_PROGRESS),
        (CaseStatus.SUPPLEMENT, TaskStatus.SUPPLEMENT),
        (CaseStatus.COMPLETED, TaskStatus.ANSWERED),
        (CaseStatus.COMPLETED, TaskStatus.ANSWERED),
        (CaseStatus.COMPLETED, TaskStatus.ANSWERED),
        (CaseStatus.REFUSED, TaskStatus.REFUSED),
    ]
    by_site = {s.pk: s for s in sites}
    made = 0
    batch = 5000
    for start in range(0, CASES, batch):
        cases, plan = [], []
        for n in range(start, min(start + batch, CASES)):
            item = items[n % len(items)]
            opened = timezone.now() - datetime.timedelta(
                days=rng.randrange(180), minutes=rng.randrange(600)
            )
            day = timezone.localdate(opened)
            days = rng.choice([5, 10, 20])
            status, task_status = rng.choice(statuses)
            closed = None
            if status in (CaseStatus.COMPLETED, CaseStatus.REFUSED):
                closed = min(opened + datetime.timedelta(days=rng.randrange(1, 40)), timezone.now())
            cases.append(
                Case(
                    number=f"BS{day:%Y%m%d}{n:07d}",
                    kind="service",
                    query_code_hash="0" * 64,
                    lead_site_id=item.site_id,
                    title=item.title,
                    subject_key=item.item_key,
                    subject_title=item.title,
                    subject_url=item.url,
                    applicant={"name": f"申请人{n}", "phone": "0473-0000000"},
                    content={"note": ""},
                    status=status,
                    deadline_working_days=days,
                    opened_at=opened,
                    deadline=deadline(day, days),
                    closed_at=closed,
                )
            )
            parallel = item.extra["parallel_sites"] or ([] if n % 5 else [None])
            plan.append((item.site_id, task_status, parallel))
        Case.objects.bulk_create(cases, batch_size=2500)
        tasks = []
        for case, (lead, task_status, parallel) in zip(cases, plan, strict=True):
            tasks.append(
                CaseTask(
                    case=case, site_id=lead, role="lead", status=task_status, deadline=case.deadline
                )
            )
            for schema in parallel:
                other = next(
                    (s.pk for s in sites if s.schema_name == schema),
                    sites[(list(by_site).index(lead) + 3) % len(sites)].pk,
                )
                tasks.append(
                    CaseTask(
                        case=case,
                        site_id=other,
                        role="parallel",
                        status=task_status,
                        deadline=case.deadline,
                    )
                )
        CaseTask.objects.bulk_create(tasks, batch_size=5000)
        made += len(cases)
        print(f"   {made}/{CASES} cases", flush=True)


def measure(client, host, paths, repeat):
    samples = []
    for i in range(repeat):
        path = paths[i % len(paths)]

        def get(path=path):
            response = client.get(path, HTTP_HOST=host)
            if response.status_code != 200:
                raise RuntimeError(f"{path}: {response.status_code}")

        samples += harness.timed(get, 1)
    return harness.summary(samples)


def query_count(client, host, path):
    client.get(path, HTTP_HOST=host)
    with CaptureQueriesContext(connection) as captured:
        client.get(path, HTTP_HOST=host)
    return len(captured.captured_queries)


def run(report):
    from django.contrib.auth import get_user_model

    from federation.onestop import entries
    from federation.onestop import figures as s5

    rng = random.Random(14)
    print(
        f"   setup: {SITES} department sites + portal, {ITEMS} service items, {CASES} cases",
        flush=True,
    )
    portal = services.sites().filter(kind="portal").first() or harness.provision(
        9999, kind="portal", prefix="p"
    )
    sites = []
    existing = {s.schema_name: s for s in services.sites().filter(schema_name__startswith="s")}
    for i in range(SITES):
        schema = f"s{i:04d}"
        sites.append(existing.get(schema) or harness.provision(i, kind="department", prefix="s"))
        if (i + 1) % 10 == 0:
            print(f"   {i + 1}/{SITES} sites", flush=True)
    items = seed_items(sites, rng)
    entries.rebuild()
    seed_cases(sites, items, rng)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    anonymous = Client()
    host = portal.primary_domain
    hall_paths = [
        "/wsbs/",
        "/wsbs/?theme=交通出行",
        "/wsbs/?event=上学",
        f"/wsbs/?dept={sites[3].schema_name}",
        "/wsbs/?level=4",
        "/wsbs/?kind=licensing&page=5",
    ]
    hall = measure(anonymous, host, hall_paths, REPEAT)
    report("services_hall_p50", hall["p50"], "ms")
    report("services_hall_p95", hall["p95"], "ms")
    item_paths = [f"/wsbs/item/{items[n].pk}/" for n in range(0, ITEMS, max(ITEMS // 50, 1))]
    item = measure(anonymous, host, item_paths, REPEAT)
    report("services_item_page_p95", item["p95"], "ms")
    department = measure(anonymous, sites[0].primary_domain, ["/wsbs/"], REPEAT // 2)
    report("services_department_hall_p95", department["p95"], "ms")
    everything = query_count(anonymous, host, "/wsbs/")
    one = query_count(anonymous, host, f"/wsbs/?dept={sites[3].schema_name}&level=4")
    report("services_hall_queries_all_items", everything, "queries")
    report("services_hall_queries_few_items", one, "queries")

    with override_settings(TWO_FACTOR_ENFORCED=False):
        handler = Client()
        with schema_context(sites[0].schema_name):
            user = get_user_model().objects.create_superuser("bench_handler", password="x")  # noqa: S106
            handler.force_login(user)
        cases = measure(
            handler,
            sites[0].primary_domain,
            [
                "/admin/casework/",
                "/admin/casework/?state=all&p=3",
                "/admin/casework/?state=overdue",
            ],
            REPEAT,
        )
        report("services_handler_case_list_p95", cases["p95"], "ms")
        lead = Client()
        with schema_context(portal.schema_name):
            user = get_user_model().objects.create_superuser("bench_portal", password="x")  # noqa: S106
            lead.force_login(user)
        figures_page = measure(lead, host, ["/admin/onestop/figures/"], max(REPEAT // 5, 10))
        report("services_figures_page_p95", figures_page["p95"], "ms")

    total = s5.compute(portal).total
    print(
        f"   city figures: {total.items} items, licensing online {total.online_share}% "
        f"(target ≥ {s5.ONLINE_TARGET}%), {total.received} applications, "
        f"{total.completed} completed ({total.on_time} on time), {total.overdue} overdue, "
        f"average {total.average_days} working days",
        flush=True,
    )
    report("services_items", total.items, "items")
    report("services_cases", total.received, "cases")
