"""What happens to the public's submissions: limits, screening, moderation, answers, tallies.

Every moderation action is recorded in the site's audit trail and, when it changes what a
public page shows, tells the page cache (`signals.page_content_changed`).
"""

import secrets
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from security.audit.services import record

from .models import (
    BoardPost,
    Consultation,
    InterviewPage,
    InterviewQuestion,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    SurveyTally,
    TranscriptEntry,
)
from .models.common import Moderation
from .screening import address_key, contact_key, screen
from .signals import page_content_changed

DAY = timedelta(days=1)
INTERVIEW_QUESTIONS_PER_ADDRESS_PER_HOUR = 10


class SubmissionRefused(Exception):
    """A submission over a limit or outside its time: the message says what to do."""


def _changed(page) -> None:
    page_content_changed.send(sender=type(page), instance=page)


def _actor(user) -> str:
    return user.get_username() if user is not None else "system"


# --- the message board -------------------------------------------------------------------


def submit_post(board, request, *, subject, content, author_name="", contact) -> BoardPost:
    since = timezone.now() - DAY
    address = address_key(request)
    contact_norm = contact_key(contact)
    recent = BoardPost.objects.filter(created_at__gte=since)
    if recent.filter(address_key=address).count() >= board.daily_limit_per_address:
        raise SubmissionRefused(
            f"同一网络地址每天最多留言 {board.daily_limit_per_address} 条，请明天再试。"
        )
    if recent.filter(contact_key=contact_norm).count() >= board.daily_limit_per_contact:
        raise SubmissionRefused(
            f"同一联系方式每天最多留言 {board.daily_limit_per_contact} 条，请明天再试。"
        )
    hits = screen(f"{subject}\n{content}\n{author_name}")
    if recent.filter(address_key=address, content=content).exists():
        hits.append("与本地址 24 小时内的留言内容相同")
    return BoardPost.objects.create(
        board=board,
        subject=subject,
        content=content,
        author_name=author_name,
        contact=contact,
        contact_key=contact_norm,
        address_key=address,
        screen_hits=hits,
    )


@transaction.atomic
def moderate_post(post, user, *, approve: bool, reply: str = "", replied_by: str = "", reason=""):
    """Approve (with or without a reply) or refuse a post; a reply can also be added later."""
    now = timezone.now()
    was_public = post.status == Moderation.APPROVED
    if reply:
        post.reply = reply
        post.replied_by = replied_by
        post.replied_at = post.replied_at or now
    if approve:
        post.status = Moderation.APPROVED
        post.approved_at = post.approved_at or now
        post.reject_reason = ""
    else:
        post.status = Moderation.REJECTED
        post.reject_reason = reason
    post.moderated_by = _actor(user)
    post.save()
    record(
        "interaction.approve" if approve else "interaction.reject",
        obj=post,
        user=user,
        message=reason or ("含答复" if reply else ""),
    )
    if approve or was_public:
        _changed(post.board)
    return post


@transaction.atomic
def erase_personal_data(item, user) -> None:
    """On the writer's request: name, contact and the address key go; the text stays (a
    moderator edits or refuses it if it names the writer)."""
    fields = {"author_name": "", "address_key": ""}
    for name in ("contact", "contact_key"):
        if hasattr(item, name):
            fields[name] = ""
    type(item).objects.filter(pk=item.pk).update(**fields)
    record("interaction.erase", obj=item, user=user)


# --- consultation ------------------------------------------------------------------------


def submit_consultation(page, request, *, subject, content, author_name="", contact):
    address = address_key(request)
    since = timezone.now() - DAY
    if (
        Consultation.objects.filter(address_key=address, created_at__gte=since).count()
        >= page.daily_limit_per_address
    ):
        raise SubmissionRefused(
            f"同一网络地址每天最多咨询 {page.daily_limit_per_address} 次，请明天再试。"
        )
    return Consultation.objects.create(
        page=page,
        subject=subject,
        content=content,
        author_name=author_name,
        contact=contact,
        address_key=address,
        screen_hits=screen(f"{subject}\n{content}"),
    )


@transaction.atomic
def answer_consultation(item, user, *, answer: str, public: bool, reject: bool = False):
    item.answer = answer
    item.public = public and not reject
    item.status = Consultation.Status.REJECTED if reject else Consultation.Status.ANSWERED
    item.answered_by = _actor(user)
    item.answered_at = timezone.now()
    item.save()
    record("interaction.answer", obj=item, user=user, message="公开" if item.public else "")
    _changed(item.page)
    return item


# --- surveys -----------------------------------------------------------------------------


def voter_cookie_name(page) -> str:
    return f"survey-{page.pk}"


def new_voter() -> str:
    return secrets.token_urlsafe(18)


def address_count(page, request) -> int:
    return page.responses.filter(address_key=address_key(request)).count()


@transaction.atomic
def submit_survey(page, request, voter: str, answers) -> SurveyResponse:
    """Store one response and count it. The caller checked the cookie; the database's unique
    (page, voter) catches a double submission racing itself."""
    if page.state != "open":
        raise SubmissionRefused("本次征集不在开放时间内。")
    if address_count(page, request) >= page.per_address_limit:
        raise SubmissionRefused(
            f"同一网络地址最多提交 {page.per_address_limit} 份，本地址已达上限。"
        )
    if page.responses.filter(voter=voter).exists():
        raise SubmissionRefused("您已经提交过，感谢参与。每个浏览器只能提交一次。")
    response = SurveyResponse.objects.create(
        page=page, voter=voter, address_key=address_key(request)
    )
    SurveyAnswer.objects.bulk_create(
        SurveyAnswer(response=response, question=q, choices=choices, text=text)
        for q, choices, text in answers
    )
    _tally(
        [(q.pk, option) for q, choices, _text in answers for option in choices]
        + [(q.pk, 0) for q, _choices, text in answers if text]  # a comment: option 0 counts them
    )
    return response


def _tally(pairs) -> None:
    """+1 for each (question id, option), one statement (an upsert in the current schema)."""
    if not pairs:
        return
    table = connection.ops.quote_name(SurveyTally._meta.db_table)
    values = ", ".join(["(%s, %s, 1)"] * len(pairs))
    params = [v for pair in pairs for v in pair]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (question_id, option, count) VALUES {values} "  # noqa: S608 — table name from the model, values bound
            "ON CONFLICT (question_id, option) DO UPDATE SET count = "
            f"{table}.count + 1",
            params,
        )


@transaction.atomic
def recount(page) -> None:
    """Rebuild the tallies of a survey from its answers (after an import or a deletion)."""
    SurveyTally.objects.filter(question__page=page).delete()
    rows = SurveyAnswer.objects.filter(question__page=page).values_list(
        "question_id", "choices", "text"
    )
    counts: dict = {}
    for question_id, choices, text in rows.iterator(chunk_size=5000):
        for option in choices or ([0] if text else []):
            counts[(question_id, option)] = counts.get((question_id, option), 0) + 1
    SurveyTally.objects.bulk_create(
        SurveyTally(question_id=q, option=o, count=c) for (q, o), c in counts.items()
    )


def summary(page) -> dict:
    """Per question: options with counts and shares (and the mean of a rating), or for free
    text the number of comments (its tally's option 0). Reads the tallies and one count:
    independent of the number of answers."""
    questions = list(page.questions.all())
    tallies: dict = {}
    for question_id, option, count in SurveyTally.objects.filter(question__page=page).values_list(
        "question_id", "option", "count"
    ):
        tallies[(question_id, option)] = count
    total = page.responses.count()
    result = []
    for question in questions:
        item = {"question": question, "kind": question.kind, "options": []}
        if question.kind == SurveyQuestion.Kind.TEXT:
            item["comments"] = tallies.get((question.pk, 0), 0)
        else:
            counts = [tallies.get((question.pk, i), 0) for i in range(len(question.options))]
            answered = sum(counts) if question.kind != SurveyQuestion.Kind.MULTIPLE else total
            for label, count in zip(question.options, counts, strict=True):
                share = round(100 * count / answered, 1) if answered else 0
                item["options"].append({"label": label, "count": count, "share": share})
            if question.kind == SurveyQuestion.Kind.RATING and sum(counts):
                item["mean"] = round(
                    sum((i + 1) * c for i, c in enumerate(counts)) / sum(counts), 2
                )
        result.append(item)
    return {"total": total, "questions": result}


def comments(page, *, adopted_only=False):
    text_questions = [q.pk for q in page.questions.all() if q.kind == SurveyQuestion.Kind.TEXT]
    # In the (question, response) index's order: a page of comments is an index range, not a
    # scan of every answer of the survey.
    answers = (
        SurveyAnswer.objects.filter(question_id__in=text_questions)
        .select_related("question")
        .order_by("question_id", "response_id")
    )
    return answers.filter(adopted=True) if adopted_only else answers


@transaction.atomic
def decide_comment(answer, user, *, adopted: bool, note: str):
    answer.adopted = adopted
    answer.adoption_note = note
    answer.save(update_fields=["adopted", "adoption_note"])
    record(
        "interaction.adopt" if adopted else "interaction.not_adopted",
        object_type="interaction.surveyanswer",
        object_id=answer.pk,
        object_repr=answer.text[:50],
        user=user,
        message=note,
    )
    _changed(answer.question.page)


def export_rows(page):
    """The header and one row per response, streamed in response order."""
    questions = list(page.questions.all())
    yield ["答卷编号", "提交时间", *[q.text for q in questions]]
    by_question = {q.pk: q for q in questions}
    answers = (
        SurveyAnswer.objects.filter(response__page=page)
        .order_by("response_id")
        .values_list("response_id", "response__created_at", "question_id", "choices", "text")
    )
    current, created, cells = None, None, {}
    for response_id, created_at, question_id, choices, text in answers.iterator(chunk_size=5000):
        if response_id != current:
            if current is not None:
                yield [
                    current,
                    timezone.localtime(created).strftime("%Y-%m-%d %H:%M"),
                    *[cells.get(q.pk, "") for q in questions],
                ]
            current, created, cells = response_id, created_at, {}
        question = by_question[question_id]
        if question.kind == SurveyQuestion.Kind.TEXT:
            cells[question_id] = text
        else:
            options = question.options
            cells[question_id] = "；".join(options[i] for i in choices if i < len(options))
    if current is not None:
        yield [
            current,
            timezone.localtime(created).strftime("%Y-%m-%d %H:%M"),
            *[cells.get(q.pk, "") for q in questions],
        ]


# --- interviews --------------------------------------------------------------------------


def submit_question(page, request, *, author_name="", content) -> InterviewQuestion:
    if not page.takes_questions:
        raise SubmissionRefused("本期访谈已结束，不再接受提问。")
    address = address_key(request)
    since = timezone.now() - timedelta(hours=1)
    if (
        page.questions.filter(address_key=address, created_at__gte=since).count()
        >= INTERVIEW_QUESTIONS_PER_ADDRESS_PER_HOUR
    ):
        raise SubmissionRefused(
            f"同一网络地址每小时最多提问 {INTERVIEW_QUESTIONS_PER_ADDRESS_PER_HOUR} 次，请稍后再试。"
        )
    return InterviewQuestion.objects.create(
        page=page,
        author_name=author_name,
        content=content,
        address_key=address,
        screen_hits=screen(f"{author_name}\n{content}"),
    )


def _bump_transcript(page) -> None:
    InterviewPage.objects.filter(pk=page.pk).update(transcript_version=F("transcript_version") + 1)
    page.refresh_from_db(fields=["transcript_version"])
    _changed(page)  # the page itself shows the transcript (the archive, visitors without script)


@transaction.atomic
def moderate_question(question, user, *, approve: bool) -> InterviewQuestion:
    question.status = Moderation.APPROVED if approve else Moderation.REJECTED
    question.save(update_fields=["status"])
    if approve and not TranscriptEntry.objects.filter(question=question).exists():
        TranscriptEntry.objects.create(
            page=question.page,
            role=TranscriptEntry.Role.NETIZEN,
            speaker=f"网友“{question.public_name}”",
            text=question.content,
            question=question,
        )
        _bump_transcript(question.page)
    record("interaction.approve" if approve else "interaction.reject", obj=question, user=user)
    return question


@transaction.atomic
def post_entry(page, user, *, role: str, speaker: str, text: str) -> TranscriptEntry:
    entry = TranscriptEntry.objects.create(page=page, role=role, speaker=speaker, text=text)
    _bump_transcript(page)
    record("interaction.transcript", obj=entry, object_repr=text[:50], user=user)
    return entry


def transcript_payload(page) -> dict:
    entries = [
        {"id": e.pk, "role": e.role, "speaker": e.speaker, "text": e.text}
        for e in page.transcript.order_by("pk")
    ]
    return {"version": page.transcript_version, "state": page.state, "entries": entries}
