"""Interaction (issue 15): a survey with 100,000 responses — the summary's p95 (target
< 300 ms) and the XLSX export's time; the live transcript's poll (p95 of the conditional
request that answers 304, and of a full answer) and the time from a moderator approving a
question until a poll sees it.

Responses are bulk-inserted into the real tables, then counted the way the site counts them
(services.recount builds the tallies from the answers; submissions keep them current)."""

import datetime
import io
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.test import Client, override_settings
from django.utils import timezone

from bench.harness import provision, schema_context, summary, timed
from security.roles import REVIEWER

RESPONSES = 100_000
REPEAT = 60
POLLS = 300


def make_survey():
    from sites.core.models import ColumnPage
    from sites.interaction.models import SurveyPage, SurveyQuestion

    now = timezone.now()
    page = SurveyPage(
        title="基准满意度调查",
        slug="bench-survey",
        opens_at=now - datetime.timedelta(days=30),
        closes_at=now - datetime.timedelta(minutes=1),
    )
    for i, (kind, text, choices) in enumerate(
        [
            ("single", "您的年龄段", "18岁以下\n18-30岁\n31-45岁\n46-60岁\n60岁以上"),
            ("multiple", "您常用的服务", "社保\n公积金\n户籍\n不动产\n交通\n教育"),
            ("rating", "满意度", ""),
            ("text", "其他意见", ""),
        ]
    ):
        page.questions.add(SurveyQuestion(kind=kind, text=text, choices=choices, sort_order=i))
    ColumnPage.objects.get(slug="hdjl").add_child(instance=page)
    page.save_revision().publish()
    return page


def load_responses(page, count):
    """100,000 responses and their answers, generated in SQL (seconds, not minutes)."""
    from django.db import connection

    from sites.interaction.models import SurveyAnswer, SurveyResponse

    responses, answers = SurveyResponse._meta.db_table, SurveyAnswer._meta.db_table
    q = {question.kind: question.pk for question in page.questions.all()}
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {responses} (page_id, voter, address_key, created_at) "  # noqa: S608 — table names from the models
            "SELECT %s, 'v' || n, 'a' || (n %% 5000), %s + n * interval '20 seconds' "
            "FROM generate_series(0, %s - 1) AS n",
            [page.pk, page.opens_at, count],
        )
        pick = {
            "single": "ARRAY[floor(random() * 5)::int]",
            "multiple": "ARRAY[r.id %% 6] || CASE WHEN r.id %% 3 = 0 THEN ARRAY[(r.id + 2) %% 6] ELSE '{}'::int[] END",
            "rating": "ARRAY[floor(random() * 5)::int]",
        }
        for kind, expression in pick.items():
            cursor.execute(
                f"INSERT INTO {answers} (response_id, question_id, choices, text, adoption_note) "  # noqa: S608
                f"SELECT r.id, %s, {expression}, '', '' FROM {responses} r WHERE r.page_id = %s",
                [q[kind], page.pk],
            )
        cursor.execute(
            f"INSERT INTO {answers} (response_id, question_id, choices, text, adoption_note) "  # noqa: S608
            f"SELECT r.id, %s, '{{}}', '希望办事更方便，材料更少。', '' FROM {responses} r "
            "WHERE r.page_id = %s AND r.id %% 5 = 0",
            [q["text"], page.pk],
        )
        cursor.execute(f"ANALYZE {responses}; ANALYZE {answers}")  # noqa: S608


def run(report):
    from sites.interaction import services
    from sites.interaction.exports import write_xlsx
    from sites.interaction.models import InterviewPage, InterviewQuestion

    website = provision(0, prefix="intr")
    with schema_context(website.schema_name):
        page = make_survey()
        url = page.url
        print(f"   loading {RESPONSES} responses…", flush=True)
        started = time.perf_counter()
        load_responses(page, RESPONSES)
        report("survey_load_s", time.perf_counter() - started, "s")
        started = time.perf_counter()
        services.recount(page)
        report("survey_recount_s", time.perf_counter() - started, "s")
        assert services.summary(page)["total"] == RESPONSES
        # A reviewer (互动审理 right, no second factor required) reads the live results.
        user = get_user_model().objects.create_user(
            username="bench_reviewer", password="Bench-Reviewer-2026"
        )
        user.groups.add(Group.objects.get(name=REVIEWER))

    visitor = Client(HTTP_HOST=website.primary_domain)
    response = visitor.get(f"{url}results/")
    assert response.status_code == 200 and "100000" in response.content.decode()
    stats = summary(timed(lambda: visitor.get(f"{url}results/"), REPEAT))
    report("survey_summary_public_p50", stats["p50"], "ms")
    report("survey_summary_public_p95", stats["p95"], "ms")

    editor = Client(HTTP_HOST=website.primary_domain)
    with schema_context(website.schema_name):
        editor.force_login(user)
    admin_url = f"/admin/interaction/surveys/{page.pk}/"
    assert editor.get(admin_url).status_code == 200
    stats = summary(timed(lambda: editor.get(admin_url), REPEAT))
    report("survey_results_admin_p95", stats["p95"], "ms")

    with schema_context(website.schema_name):
        # What the export task does (exports.build): far above SURVEY_XLSX_INLINE_MAX.
        started = time.perf_counter()
        out = io.BytesIO()
        write_xlsx(page, out)
        report("survey_xlsx_export_s", time.perf_counter() - started, "s")
        report("survey_xlsx_size_mb", len(out.getvalue()) / 1e6, "MB")

    # The live transcript: 200 lines, polled with If-None-Match.
    with schema_context(website.schema_name):
        from sites.core.models import ColumnPage

        now = timezone.now()
        interview = InterviewPage(
            title="基准访谈",
            slug="bench-interview",
            starts_at=now - datetime.timedelta(hours=1),
            ends_at=now + datetime.timedelta(hours=1),
        )
        ColumnPage.objects.get(slug="hdjl").add_child(instance=interview)
        interview.save_revision().publish()
        for n in range(200):
            services.post_entry(
                interview, None, role="guest", speaker="嘉宾", text=f"第{n}段回答，内容较长。" * 5
            )
        poll_url = f"{interview.url}transcript/"
    first = visitor.get(poll_url)
    etag = first["ETag"]
    stats = summary(timed(lambda: visitor.get(poll_url, HTTP_IF_NONE_MATCH=etag), POLLS))
    report("transcript_poll_uncached_304_p95", stats["p95"], "ms")
    stats = summary(timed(lambda: visitor.get(poll_url), POLLS))
    report("transcript_poll_uncached_full_p95", stats["p95"], "ms")

    # As served: from the page cache (the page type lists "transcript/" in pagecache_subpaths).
    with override_settings(PAGECACHE_ENABLED=True):
        caches["pages"].clear()
        for _ in range(3):  # learn the host, store, hit
            response = visitor.get(poll_url)
        assert response["X-Page-Cache"] == "hit", response["X-Page-Cache"]
        etag = response["ETag"]
        stats = summary(timed(lambda: visitor.get(poll_url, HTTP_IF_NONE_MATCH=etag), POLLS))
        report("transcript_poll_cached_304_p50", stats["p50"], "ms")
        report("transcript_poll_cached_304_p95", stats["p95"], "ms")
        stats = summary(timed(lambda: visitor.get(poll_url), POLLS))
        report("transcript_poll_cached_full_p95", stats["p95"], "ms")

        # From approval to the first poll that carries it (the page script polls every
        # second: a viewer sees it within this time plus at most one polling interval).
        with schema_context(website.schema_name):
            question = InterviewQuestion.objects.create(
                page=interview, content="基准提问", address_key="x"
            )
            started = time.perf_counter()
            services.moderate_question(question, None, approve=True)
        while True:
            response = visitor.get(poll_url, HTTP_IF_NONE_MATCH=etag)
            if response.status_code == 200 and "基准提问" in response.content.decode():
                break
        report(
            "approved_answer_visible_ms",
            (time.perf_counter() - started) * 1000,
            "ms (+ ≤ 1 s polling interval)",
        )
