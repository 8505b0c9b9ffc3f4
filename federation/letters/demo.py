"""Demo interaction content for the demo city (a DEMO_CITY_SEEDERS entry). Idempotent.

On the portal's 互动交流 column: a board with approved and held posts, an open and a closed
survey with responses, a solicitation with its feedback, an archived interview with its
transcript, an FAQ page and a consultation page. Letters in every state in the portal's
mailboxes, some routed to departments and answered, some published; a 找错 report and two
依申请公开 requests (one extended, one answered). Data: demo.yaml beside this file.

Pages are written in bulk by the demo pages' machinery (tenants.demo.pages, the page types in
sites/interaction/demo.py), then filled with one INSERT per model and projected into the
library; the letters go through the case machine in one transaction.
"""

import datetime
import logging
import random
from pathlib import Path

import yaml
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from federation.casework import services as cases
from federation.library import consumers
from federation.library.services import project_new_pages
from sites.core.models import ColumnPage
from sites.interaction import services as interaction
from sites.interaction.models import (
    BoardPost,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    TranscriptEntry,
)
from sites.interaction.models.common import Moderation
from tenants.demo.content import Entry, SiteContent
from tenants.demo.pages import seed_pages
from tenants.models import Website

from . import services
from .models import Letter, Mailbox

log = logging.getLogger("jiyue.letters")
DATA = Path(__file__).with_name("demo.yaml")
CASE_KEY_PREFIX = "demo-"  # client tokens: the seeder runs once, a rerun finds its cases


class _DemoUser:
    is_authenticated = True
    email = ""

    def get_username(self):
        return "demo"


def seed() -> dict:
    portal = Website.objects.portal()
    if portal is None:
        return {}
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    pages = _pages(portal, data)
    departments = list(Website.objects.filter(kind=Website.Kind.DEPARTMENT).order_by("pk")[:3])
    letters = _letters(portal, departments, data["letters"])
    return {"interaction pages": pages, "letters": letters}


# demo.yaml's section → the page type (sites/interaction/demo.py) its entries are
PAGE_SECTIONS = {
    "board": "interaction_board",
    "surveys": "interaction_survey",
    "interview": "interaction_interview",
    "faq": "interaction_faq",
    "consultation": "interaction_consultation",
}


def _entries(data) -> list[Entry]:
    entries = []
    for section, page_type in PAGE_SECTIONS.items():
        rows = data[section] if isinstance(data[section], list) else [data[section]]
        for row in rows:
            where = f"{DATA.name}: {section} {row['slug']}"
            entries.append(Entry(where, {**row, "type": page_type, "column": "hdjl"}))
    return entries


def _pages(portal, data) -> int:
    """The pages in bulk (tenants.demo.pages, as every demo page), then their contents: posts,
    responses with their tallies, the transcript — each model in one INSERT."""
    with schema_context(portal.schema_name):
        if not ColumnPage.objects.filter(slug="hdjl").exists():
            return 0
        pages = {page.slug: page for page in seed_pages(portal, SiteContent(_entries(data), {}))}
        if not pages:
            return 0  # made by an earlier run
        _fill(pages, data)
    # Written without the publish flow: the library learns of them as of every bulk page, and
    # their consumers (search: the FAQ is searchable across sites) follow.
    new = project_new_pages(portal)
    connection.set_schema_to_public()
    consumers.run_pending([item.pk for item in new])
    connection.set_schema_to_public()
    return len(pages)


@transaction.atomic
def _fill(pages, data) -> None:
    now = timezone.now()
    rng = random.Random(15)  # the same demo every time
    b = data["board"]
    board = pages[b["slug"]]
    posts = [
        BoardPost(
            board=board,
            subject=s,
            content=c,
            contact="demo@example.com",
            contact_key="demo",
            address_key="demo",
            status=Moderation.APPROVED,
            reply=r,
            replied_by=unit,
            replied_at=now,
            approved_at=now - datetime.timedelta(days=i),
            moderated_by="demo",
        )
        for i, (s, c, unit, r) in enumerate(b["approved"])
    ] + [
        BoardPost(
            board=board,
            subject=s,
            content=c,
            contact="13900000000",
            contact_key="13900000000",
            address_key="demo",
            screen_hits=interaction.screen(c),
        )
        for s, c in b["held"]
    ]
    BoardPost.objects.bulk_create(posts)

    responses, plans = [], []
    for s in data["surveys"]:
        page = pages[s["slug"]]
        count = s["responses"] + len(s.get("comments", []))
        made = [
            SurveyResponse(
                page=page,
                voter=f"demo-{n}",
                address_key=f"demo-{n % 40}",
                created_at=page.opens_at + datetime.timedelta(hours=n),
            )
            for n in range(count)
        ]
        responses += made
        plans.append((s, page, made))
    SurveyResponse.objects.bulk_create(responses)
    answers = []
    for s, page, made in plans:
        questions = list(page.questions.all())
        comments = s.get("comments", [])
        for n, response in enumerate(made):
            for q in questions:
                if q.kind == SurveyQuestion.Kind.TEXT:
                    if n < len(comments):
                        text, note = comments[n]
                        answers.append(
                            SurveyAnswer(
                                response=response,
                                question=q,
                                text=text,
                                adopted=bool(note),
                                adoption_note=note,
                            )
                        )
                    elif n % 7 == 0:
                        answers.append(
                            SurveyAnswer(
                                response=response, question=q, text="希望继续改进，办事更方便。"
                            )
                        )
                    continue
                size = len(q.options)
                if q.kind == SurveyQuestion.Kind.MULTIPLE:
                    chosen = sorted(rng.sample(range(size), rng.randint(1, size)))
                else:
                    chosen = [min(size - 1, int(rng.triangular(0, size, size * 0.7)))]
                answers.append(SurveyAnswer(response=response, question=q, choices=chosen))
    SurveyAnswer.objects.bulk_create(answers)
    for _s, page, _made in plans:
        interaction.recount(page)

    i = data["interview"]
    TranscriptEntry.objects.bulk_create(
        TranscriptEntry(page=pages[i["slug"]], role=role, speaker=speaker, text=text)
        for role, speaker, text in i["transcript"]
    )


# One transaction: ~40 transitions, each its own commit (and fsync) before, were most of
# the phase's time on a loaded machine; the case machine still checks every step.
@transaction.atomic
def _letters(portal, departments, rows) -> int:
    if (
        not departments
        or Letter.objects.filter(case__client_token=f"{CASE_KEY_PREFIX}letter-0").exists()
    ):
        return 0
    services.default_mailboxes(portal)
    user = _DemoUser()
    made = 0
    for n, (slug, category, title, content, name, allowed, state) in enumerate(rows):
        box = Mailbox.objects.get(site=portal, slug=slug)
        case, _code = services.submit_letter(
            box,
            category=category,
            title=title,
            content=content,
            name=name,
            phone="13800000000",
            publish_allowed=allowed,
            client_token=f"{CASE_KEY_PREFIX}letter-{n}",
        )
        dept = departments[n % len(departments)]
        if state != "submitted":
            cases.accept(case, portal, user=user)
        if state in ("routed", "answered", "returned", "published"):
            cases.route(
                case,
                portal,
                dept,
                user=user,
                note="请研究办理并答复",
                working_days=box.deadline_working_days,
            )
        if state in ("answered", "published"):
            cases.accept(case, dept, user=user)
            cases.answer(case, dept, user=user, note=f"关于“{title}”：已研究并落实，详情请见答复。")
        if state == "returned":
            cases.return_routing(case, dept, user=user, reason="不属于本单位职责，请转交相关部门。")
        if state in ("published", "completed"):
            services.review_and_complete(
                case,
                portal,
                user,
                reply=f"您反映的“{title}”问题已办理，感谢您的来信。",
                publish=state == "published",
            )
        made += 1
    services.submit_error_report(
        portal,
        page_url="/tzgg/",
        description="第三条通知的日期写错了。",
        client_token=f"{CASE_KEY_PREFIX}zhaocuo-0",
    )
    extended, _ = services.submit_disclosure_request(
        portal,
        name="王五",
        id_number="150302199001011234",
        phone="13900000000",
        address="乌海市海勃湾区",
        email="",
        information="2025年城市道路维修资金使用情况",
        purpose="",
        delivery="email",
        client_token=f"{CASE_KEY_PREFIX}ysqgk-0",
    )
    services.extend_disclosure_request(extended, portal, user, reason="需要征求第三方意见")
    answered, _ = services.submit_disclosure_request(
        portal,
        name="马六",
        id_number="150302199202021234",
        phone="13900000001",
        address="乌海市乌达区",
        email="",
        information="2025年全市绿化工程招标文件",
        purpose="研究",
        delivery="online",
        client_token=f"{CASE_KEY_PREFIX}ysqgk-1",
    )
    services.answer_disclosure_request(
        answered,
        portal,
        user,
        answer_type="disclosed",
        reply="予以公开，已通过网上查阅方式提供。",
        delivery="online",
    )
    return made + 3
