"""Demo interaction content for the demo city (a DEMO_CITY_SEEDERS entry). Idempotent.

On the portal's 互动交流 column: a board with approved and held posts, an open and a closed
survey with responses, a solicitation with its feedback, an archived interview with its
transcript, an FAQ page and a consultation page. Letters in every state in the portal's
mailboxes, some routed to departments and answered, some published; a 找错 report and two
依申请公开 requests (one extended, one answered). Data: demo.yaml beside this file.
"""

import datetime
import logging
import random
from pathlib import Path

import yaml
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context
from wagtail.rich_text import RichText

from federation.casework import services as cases
from sites.core.models import ColumnPage
from sites.interaction import services as interaction
from sites.interaction.models import (
    BoardPost,
    ConsultationPage,
    FaqPage,
    InterviewGuest,
    InterviewPage,
    MessageBoardPage,
    SurveyAnswer,
    SurveyPage,
    SurveyQuestion,
    SurveyResponse,
    TranscriptEntry,
)
from sites.interaction.models.common import Moderation
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
    with schema_context(portal.schema_name):
        pages = _pages(data)
    departments = list(Website.objects.filter(kind=Website.Kind.DEPARTMENT).order_by("pk")[:3])
    letters = _letters(portal, departments, data["letters"])
    return {"interaction pages": pages, "letters": letters}


def _publish(column, page):
    page.show_in_menus = True  # listed in the 互动交流 column
    column.add_child(instance=page)
    page.save_revision().publish()
    return page


@transaction.atomic
def _pages(data) -> int:
    column = ColumnPage.objects.filter(slug="hdjl").first()
    if column is None or MessageBoardPage.objects.filter(slug=data["board"]["slug"]).exists():
        return 0
    now = timezone.now()
    rng = random.Random(15)  # the same demo every time
    made = 0

    b = data["board"]
    board = _publish(column, MessageBoardPage(title=b["title"], slug=b["slug"], intro=b["intro"]))
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
    made += 1

    for s in data["surveys"]:
        opens = now - datetime.timedelta(days=30)
        closes = (
            now + datetime.timedelta(days=30) if s["open"] else now - datetime.timedelta(days=2)
        )
        page = SurveyPage(
            title=s["title"],
            slug=s["slug"],
            kind=s["kind"],
            opens_at=opens,
            closes_at=closes,
            draft=[("paragraph", RichText(f"<p>{s['draft']}</p>"))] if s.get("draft") else [],
            feedback=f"<p>{s['feedback']}</p>" if s.get("feedback") else "",
        )
        for i, (kind, text, choices) in enumerate(s["questions"]):
            page.questions.add(
                SurveyQuestion(
                    kind=kind, text=text, choices=choices, sort_order=i, required=kind != "text"
                )
            )
        _publish(column, page)
        questions = list(page.questions.all())
        responses = SurveyResponse.objects.bulk_create(
            SurveyResponse(
                page=page,
                voter=f"demo-{n}",
                address_key=f"demo-{n % 40}",
                created_at=opens + datetime.timedelta(hours=n),
            )
            for n in range(s["responses"] + len(s.get("comments", [])))
        )
        answers = []
        for n, response in enumerate(responses):
            for q in questions:
                if q.kind == SurveyQuestion.Kind.TEXT:
                    comment = s.get("comments", [])
                    if n < len(comment):
                        text, note = comment[n]
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
        interaction.recount(page)
        made += 1

    i = data["interview"]
    interview = InterviewPage(
        title=i["title"],
        slug=i["slug"],
        summary=i["summary"],
        starts_at=now - datetime.timedelta(days=7, hours=2),
        ends_at=now - datetime.timedelta(days=7),
    )
    for n, (name, role) in enumerate(i["guests"]):
        interview.guests.add(InterviewGuest(name=name, role=role, sort_order=n))
    _publish(column, interview)
    TranscriptEntry.objects.bulk_create(
        TranscriptEntry(page=interview, role=role, speaker=speaker, text=text)
        for role, speaker, text in i["transcript"]
    )
    InterviewPage.objects.filter(pk=interview.pk).update(transcript_version=len(i["transcript"]))
    made += 1

    f = data["faq"]
    items = [("item", {"question": q, "answer": RichText(f"<p>{a}</p>")}) for q, a in f["items"]]
    _publish(column, FaqPage(title=f["title"], slug=f["slug"], topic=f["topic"], items=items))
    c = data["consultation"]
    _publish(column, ConsultationPage(title=c["title"], slug=c["slug"], intro=c["intro"]))
    return made + 2


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
