"""Cases: a handler's 办件 list and case page, the applicant's status query, opening a case,
and working-day arithmetic, over CASES cases spread across SITES department sites (one in
ten parallel with a second department). In-process requests (Django's test client), so the
figures are the application's time, without a network or a web server.

Each figure's queries are counted too: the list must not grow with the cases shown.
"""

import datetime
import os
import random
import time

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone
from django_tenants.utils import schema_context

from bench import harness
from federation.casework import services
from federation.casework.models import Case, CaseStep, CaseTask, TaskStatus
from tenants.workdays import add_working_days

SITES = int(os.environ.get("CASEWORK_BENCH_SITES", "40"))
CASES = int(os.environ.get("CASEWORK_BENCH_CASES", "50000"))
REPEAT = 50
KIND = "bench_application"
CODE = "BENCH234"


def _seed(sites):
    """CASES cases in bulk (the machine's own rows, as open_case makes them)."""
    services.register_kind(KIND, "基准申请", "BA")
    today = timezone.localdate()
    statuses = [
        TaskStatus.PENDING,
        TaskStatus.ACCEPTED,
        TaskStatus.IN_PROGRESS,
        TaskStatus.ANSWERED,
    ]
    rng = random.Random(14)
    started = time.perf_counter()
    batch = 5000
    for first in range(0, CASES, batch):
        cases = []
        for index in range(first, min(first + batch, CASES)):
            number = f"BA{today:%Y%m%d}{index:07d}"
            cases.append(
                Case(
                    number=number,
                    kind=KIND,
                    query_code_hash=services.hash_code(number, CODE),
                    lead_site=sites[index % len(sites)],
                    title=f"基准事项申请 {index}",
                    applicant={"name": "基准申请人", "phone": "13900000000"},
                    content={"reason": "基准"},
                    opened_at=timezone.now() - datetime.timedelta(days=rng.randint(0, 90)),
                    deadline=today + datetime.timedelta(days=rng.randint(-20, 30)),
                    deadline_working_days=20,
                )
            )
        Case.objects.bulk_create(cases)
        tasks, steps = [], []
        for offset, case in enumerate(cases):
            index = first + offset
            status = statuses[index % len(statuses)]
            tasks.append(
                CaseTask(
                    case=case,
                    site=case.lead_site,
                    role="lead",
                    status=status,
                    deadline=case.deadline,
                )
            )
            if index % 10 == 0:
                other = sites[(index + 1) % len(sites)]
                tasks.append(
                    CaseTask(
                        case=case,
                        site=other,
                        role="parallel",
                        status=status,
                        deadline=case.deadline,
                    )
                )
            steps.append(CaseStep(case=case, actor_kind="applicant", actor="申请人", action="open"))
        CaseTask.objects.bulk_create(tasks)
        CaseStep.objects.bulk_create(steps)
    return time.perf_counter() - started


def _timed_requests(client, path, method="get", data=None):
    call = getattr(client, method)
    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = call(path, data) if data else call(path)
    assert response.status_code in (200, 302), (path, response.status_code)
    samples = harness.timed(lambda: call(path, data) if data else call(path), REPEAT)
    return harness.summary(samples), len(executed)


def run(report):
    sites = harness.ensure_sites(SITES, prefix="cw")
    seconds = _seed(sites)
    report("casework_seed_cases", CASES, "cases")
    report("casework_seed_seconds", seconds, "s")
    site = sites[0]
    report("casework_tasks_of_one_site", CaseTask.objects.filter(site=site).count(), "tasks")

    with schema_context(site.schema_name):
        user = get_user_model().objects.get(username="webmaster")
        handler = Client(HTTP_HOST=site.primary_domain)
        handler.force_login(user)
    connection.set_schema_to_public()

    for name, path in [
        ("casework_handler_list", "/admin/casework/"),
        ("casework_handler_list_overdue", "/admin/casework/?state=overdue"),
        ("casework_handler_list_page_20", "/admin/casework/?state=all&p=20"),
    ]:
        figures, queries = _timed_requests(handler, path)
        report(f"{name}_p50", figures["p50"], "ms")
        report(f"{name}_p95", figures["p95"], "ms")
        report(f"{name}_queries", queries, "queries")

    case = Case.objects.filter(lead_site=site).order_by("pk").first()
    figures, queries = _timed_requests(handler, f"/admin/casework/{case.number}/")
    report("casework_case_page_p95", figures["p95"], "ms")
    report("casework_case_page_queries", queries, "queries")

    visitor = Client(HTTP_HOST=site.primary_domain)
    # The right code, 50 times from one address: above the public form budget (10 a minute),
    # which is not what is measured here.
    unlimited = dict.fromkeys(("form", "case_query"), (10**6, 60))
    with override_settings(RATE_LIMITS=unlimited):
        figures, _ = _timed_requests(
            visitor, "/banjian/", method="post", data={"number": case.number, "code": CODE}
        )
    report("casework_status_query_p95", figures["p95"], "ms")
    figures, queries = _timed_requests(visitor, f"/banjian/{case.number}/")
    report("casework_applicant_page_p95", figures["p95"], "ms")
    report("casework_applicant_page_queries", queries, "queries")

    samples = harness.timed(
        lambda: services.open_case(
            KIND,
            lead_site=site,
            sites=sites[1:3],
            title="基准新申请",
            applicant={"name": "基准"},
            content={},
            deadline_working_days=20,
        ),
        REPEAT,
    )
    report("casework_open_case_p50", harness.summary(samples)["p50"], "ms")
    today = timezone.localdate()
    samples = harness.timed(lambda: add_working_days(today, 20), REPEAT)
    report("casework_add_20_working_days_p50", harness.summary(samples)["p50"], "ms")
