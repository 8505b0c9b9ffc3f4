"""Demo page types of this app (DEMO_PAGE_TYPES), for the demo city's interaction column.

The entries come from federation/letters/demo.yaml (the letters seeder, which also fills the
pages with posts, responses and a transcript); the seeder writes them in bulk with the other
demo pages' machinery (tenants/demo/pages.py) instead of publishing one by one.
"""

import datetime

from django.utils import timezone
from wagtail.rich_text import RichText

from sites.core.demo import DemoPageType

from .models import (
    ConsultationPage,
    FaqPage,
    InterviewGuest,
    InterviewPage,
    MessageBoardPage,
    SurveyPage,
    SurveyQuestion,
)


def board(entry, ctx) -> MessageBoardPage:
    return MessageBoardPage(title=entry["title"], intro=entry["intro"], show_in_menus=True)


def survey(entry, ctx) -> SurveyPage:
    now = timezone.now()
    closes = now + datetime.timedelta(days=30 if entry["open"] else -2)
    page = SurveyPage(
        title=entry["title"],
        kind=entry["kind"],
        opens_at=now - datetime.timedelta(days=30),
        closes_at=closes,
        draft=[("paragraph", RichText(f"<p>{entry['draft']}</p>"))] if entry.get("draft") else [],
        feedback=f"<p>{entry['feedback']}</p>" if entry.get("feedback") else "",
        show_in_menus=True,
    )
    for i, (kind, text, choices) in enumerate(entry["questions"]):
        page.questions.add(
            SurveyQuestion(
                kind=kind, text=text, choices=choices, sort_order=i, required=kind != "text"
            )
        )
    return page


def interview(entry, ctx) -> InterviewPage:
    now = timezone.now()
    page = InterviewPage(
        title=entry["title"],
        summary=entry["summary"],
        starts_at=now - datetime.timedelta(days=7, hours=2),
        ends_at=now - datetime.timedelta(days=7),
        # the transcript's rows are added by the seeder right after: its version counts them
        transcript_version=len(entry["transcript"]),
        show_in_menus=True,
    )
    for n, (name, role) in enumerate(entry["guests"]):
        page.guests.add(InterviewGuest(name=name, role=role, sort_order=n))
    return page


def faq(entry, ctx) -> FaqPage:
    items = [
        ("item", {"question": q, "answer": RichText(f"<p>{a}</p>")}) for q, a in entry["items"]
    ]
    return FaqPage(title=entry["title"], topic=entry["topic"], items=items, show_in_menus=True)


def consultation(entry, ctx) -> ConsultationPage:
    return ConsultationPage(title=entry["title"], intro=entry["intro"], show_in_menus=True)


PAGE_TYPES = {
    "interaction_board": DemoPageType(frozenset({"title", "intro", "approved", "held"}), board),
    "interaction_survey": DemoPageType(
        frozenset(
            {"title", "kind", "open", "responses", "questions", "draft", "feedback", "comments"}
        ),
        survey,
    ),
    "interaction_interview": DemoPageType(
        frozenset({"title", "summary", "guests", "transcript"}), interview
    ),
    "interaction_faq": DemoPageType(frozenset({"title", "topic", "items"}), faq),
    "interaction_consultation": DemoPageType(frozenset({"title", "intro"}), consultation),
}
