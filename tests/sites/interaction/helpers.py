"""Interaction pages made in the current site's schema, as an editor would publish them."""

import datetime
import itertools

from django.utils import timezone
from wagtail.rich_text import RichText

from sites.core.models import ColumnPage
from sites.interaction.models import (
    ConsultationPage,
    FaqPage,
    InterviewPage,
    MessageBoardPage,
    SurveyPage,
    SurveyQuestion,
)

_serial = itertools.count(1)


def _publish(page):
    ColumnPage.objects.get(slug="hdjl").add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def board(**fields) -> MessageBoardPage:
    n = next(_serial)
    return _publish(
        MessageBoardPage(title=f"留言板{n}", slug=f"board-{n}", intro="有事请留言", **fields)
    )


def survey(*, opens=-1, closes=7, kind="survey", questions=None, **fields) -> SurveyPage:
    """A survey open from `opens` to `closes` days from now, with a single choice, a
    multiple choice, a rating and a free-text question unless `questions` are given."""
    n = next(_serial)
    now = timezone.now()
    page = SurveyPage(
        title=f"调查{n}",
        slug=f"survey-{n}",
        kind=kind,
        opens_at=now + datetime.timedelta(days=opens),
        closes_at=now + datetime.timedelta(days=closes),
        **fields,
    )
    for i, (qkind, text, choices, required) in enumerate(
        questions
        or [
            ("single", "您的年龄段", "18岁以下\n18-60岁\n60岁以上", True),
            ("multiple", "您常用的服务", "社保\n公积金\n户籍", False),
            ("rating", "满意度", "", True),
            ("text", "其他意见", "", False),
        ]
    ):
        page.questions.add(
            SurveyQuestion(kind=qkind, text=text, choices=choices, required=required, sort_order=i)
        )
    return _publish(page)


def interview(*, starts=-1, ends=2, **fields) -> InterviewPage:
    """An interview from `starts` to `ends` hours from now."""
    n = next(_serial)
    now = timezone.now()
    return _publish(
        InterviewPage(
            title=f"在线访谈{n}",
            slug=f"interview-{n}",
            starts_at=now + datetime.timedelta(hours=starts),
            ends_at=now + datetime.timedelta(hours=ends),
            summary="聊聊营商环境",
            **fields,
        )
    )


def consultation() -> ConsultationPage:
    n = next(_serial)
    return _publish(ConsultationPage(title=f"在线咨询{n}", slug=f"consult-{n}"))


def faq(topic, pairs) -> FaqPage:
    n = next(_serial)
    items = [("item", {"question": q, "answer": RichText(f"<p>{a}</p>")}) for q, a in pairs]
    return _publish(FaqPage(title=f"{topic}热点解答", slug=f"faq-{n}", topic=topic, items=items))
