"""The site admin's side: moderation queues, answers, survey results and exports, the
interview console. Everything shown here is the public's text, escaped by the templates
(never `|safe`): a script in a post is text to a moderator too."""

import csv
import io

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import exports, services
from .models import (
    BoardPost,
    Consultation,
    InterviewPage,
    InterviewQuestion,
    SurveyAnswer,
    SurveyExport,
    SurveyPage,
    TranscriptEntry,
)
from .models.common import Moderation

MODERATE = "interaction.moderate_interaction"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PER_PAGE = 30


def can_moderate(user) -> bool:
    return user.is_active and (user.is_superuser or user.has_perm(MODERATE))


def _moderator(request):
    if not can_moderate(request.user):
        raise PermissionDenied("需要“审理互动内容”权限，请联系本站网站管理员。")


def _editor_of(request, page):
    if not (can_moderate(request.user) or page.permissions_for_user(request.user).can_edit()):
        raise PermissionDenied("只有本页的编辑和互动审理人员可以查看。")


def index(request):
    _moderator(request)
    return render(
        request,
        "interaction/admin/index.html",
        {
            "held_posts": BoardPost.objects.filter(status=Moderation.HELD).count(),
            "pending_consultations": Consultation.objects.filter(
                status=Consultation.Status.PENDING
            ).count(),
            "held_questions": InterviewQuestion.objects.filter(status=Moderation.HELD).count(),
            "surveys": SurveyPage.objects.order_by("-closes_at")[:50],
            "interviews": InterviewPage.objects.order_by("-starts_at")[:50],
        },
    )


# --- the board -----------------------------------------------------------------------------


class ModerationForm(forms.Form):
    decision = forms.ChoiceField(
        label="审理结果",
        choices=[("approve", "公开"), ("reject", "不予公开")],
        widget=forms.RadioSelect,
    )
    reply = forms.CharField(
        label="答复（公开时显示在留言下方）",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    replied_by = forms.CharField(label="答复单位", required=False, max_length=100)
    reason = forms.CharField(label="不予公开理由", required=False, max_length=200)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not data.get("reason"):
            self.add_error("reason", "不予公开时请填写理由。")
        return data


def posts(request):
    _moderator(request)
    status = request.GET.get("status", Moderation.HELD)
    if status not in Moderation.values:
        status = Moderation.HELD
    rows = BoardPost.objects.filter(status=status).select_related("board").order_by("-created_at")
    return render(
        request,
        "interaction/admin/posts.html",
        {
            "page_obj": Paginator(rows, PER_PAGE).get_page(request.GET.get("p")),
            "status": status,
            "statuses": Moderation.choices,
        },
    )


def post_detail(request, pk):
    _moderator(request)
    post = get_object_or_404(BoardPost.objects.select_related("board"), pk=pk)
    if request.method == "POST" and request.POST.get("erase") == "1":
        services.erase_personal_data(post, request.user)
        messages.success(request, "已删除留言人的称呼、联系方式和网络地址记录。")
        return redirect("interaction_post", pk=post.pk)
    initial = {"reply": post.reply, "replied_by": post.replied_by}
    form = ModerationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.moderate_post(
            post,
            request.user,
            approve=data["decision"] == "approve",
            reply=data["reply"],
            replied_by=data["replied_by"],
            reason=data["reason"],
        )
        messages.success(request, f"留言“{post.subject}”已{post.get_status_display()}。")
        return redirect("interaction_posts")
    return render(request, "interaction/admin/post_detail.html", {"post": post, "form": form})


# --- consultation --------------------------------------------------------------------------


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label="答复", max_length=4000, widget=forms.Textarea(attrs={"rows": 6})
    )
    public = forms.BooleanField(label="公开此咨询及答复（不含联系方式）", required=False)
    reject = forms.BooleanField(label="不予受理（答复中说明理由）", required=False)


def consultations(request):
    _moderator(request)
    rows = Consultation.objects.select_related("page").order_by("status", "-created_at")
    return render(
        request,
        "interaction/admin/consultations.html",
        {"page_obj": Paginator(rows, PER_PAGE).get_page(request.GET.get("p"))},
    )


def consultation_detail(request, pk):
    _moderator(request)
    item = get_object_or_404(Consultation.objects.select_related("page"), pk=pk)
    if request.method == "POST" and request.POST.get("erase") == "1":
        services.erase_personal_data(item, request.user)
        messages.success(request, "已删除咨询人的称呼、联系方式和网络地址记录。")
        return redirect("interaction_consultation", pk=item.pk)
    form = AnswerForm(request.POST or None, initial={"answer": item.answer, "public": item.public})
    if request.method == "POST" and form.is_valid():
        services.answer_consultation(item, request.user, **form.cleaned_data)
        messages.success(request, f"咨询“{item.subject}”已答复。")
        return redirect("interaction_consultations")
    return render(
        request, "interaction/admin/consultation_detail.html", {"item": item, "form": form}
    )


# --- surveys -------------------------------------------------------------------------------


def survey_results(request, page_id):
    page = get_object_or_404(SurveyPage, pk=page_id)
    _editor_of(request, page)
    comments = Paginator(services.comments(page), PER_PAGE).get_page(request.GET.get("p"))
    return render(
        request,
        "interaction/admin/survey_results.html",
        {
            "page": page,
            "summary": services.summary(page),
            "comments": comments,
            "exports": page.exports.all()[: exports.KEEP_PER_SURVEY + 1],
        },
    )


@require_POST
def decide_comment(request, page_id, answer_id):
    page = get_object_or_404(SurveyPage, pk=page_id)
    _editor_of(request, page)
    answer = get_object_or_404(SurveyAnswer, pk=answer_id, question__page=page)
    adopted = request.POST.get("adopted") == "1"
    note = request.POST.get("note", "")[:300].strip()
    if adopted and not note:
        messages.error(request, "采纳的意见请写明采纳情况（如何修改了草案）。")
    else:
        services.decide_comment(answer, request.user, adopted=adopted, note=note)
        messages.success(request, "已记录。")
    return redirect("interaction_survey_results", page_id=page.pk)


class _Echo:
    def write(self, value):
        return value


def survey_csv(request, page_id):
    page = get_object_or_404(SurveyPage, pk=page_id)
    _editor_of(request, page)
    writer = csv.writer(_Echo())
    rows = ([exports.safe_cell(c) for c in row] for row in services.export_rows(page))
    response = StreamingHttpResponse(
        ("\ufeff" if i == 0 else "") + writer.writerow(row) for i, row in enumerate(rows)
    )
    response["Content-Type"] = "text/csv; charset=utf-8"
    response["Content-Disposition"] = f'attachment; filename="survey-{page.pk}.csv"'
    return response


def survey_xlsx(request, page_id):
    """Inline up to SURVEY_XLSX_INLINE_MAX responses; above, a task builds it (exports.py)."""
    page = get_object_or_404(SurveyPage, pk=page_id)
    _editor_of(request, page)
    if not exports.builds_inline(page):
        export = exports.request_xlsx(page, request.user)
        return redirect("interaction_survey_export", page_id=page.pk, export_id=export.pk)
    out = io.BytesIO()
    exports.write_xlsx(page, out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="survey-{page.pk}.xlsx"'
    return response


def survey_export(request, page_id, export_id):
    """A big export's state: "preparing" (the page refreshes itself), then its link."""
    page = get_object_or_404(SurveyPage, pk=page_id)
    _editor_of(request, page)
    export = get_object_or_404(SurveyExport, pk=export_id, page=page)
    return render(
        request,
        "interaction/admin/survey_export.html",
        {
            "page": page,
            "export": export,
            "stale": export.status == SurveyExport.Status.PREPARING
            and timezone.now() - export.created_at > exports.STALE_AFTER,
        },
    )


def survey_export_download(request, page_id, export_id):
    page = get_object_or_404(SurveyPage, pk=page_id)
    _editor_of(request, page)
    export = get_object_or_404(
        SurveyExport, pk=export_id, page=page, status=SurveyExport.Status.READY
    )
    try:
        handle = exports.path_of(export).open("rb")
    except OSError:
        raise Http404("导出文件已被清理，请重新导出。") from None
    response = FileResponse(
        handle, as_attachment=True, filename=f"survey-{page.pk}.xlsx", content_type=XLSX
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- interviews ----------------------------------------------------------------------------


class EntryForm(forms.Form):
    speaker = forms.CharField(label="发言人", max_length=60)
    role = forms.ChoiceField(label="身份", choices=TranscriptEntry.Role.choices)
    text = forms.CharField(label="内容", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))


def interview_console(request, page_id):
    _moderator(request)
    page = get_object_or_404(InterviewPage, pk=page_id)
    form = EntryForm(request.POST or None, initial={"role": TranscriptEntry.Role.GUEST})
    if request.method == "POST":
        question_id, action = request.POST.get("question"), request.POST.get("action")
        if question_id and action in ("approve", "reject"):
            question = get_object_or_404(InterviewQuestion, pk=question_id, page=page)
            services.moderate_question(question, request.user, approve=action == "approve")
            return redirect("interaction_interview", page_id=page.pk)
        if form.is_valid():
            services.post_entry(page, request.user, **form.cleaned_data)
            return redirect("interaction_interview", page_id=page.pk)
    return render(
        request,
        "interaction/admin/interview.html",
        {
            "page": page,
            "form": form,
            "held": page.questions.filter(status=Moderation.HELD).order_by("pk"),
            "transcript": page.transcript.order_by("-pk")[:50],
            "guests": page.guests.all(),
        },
    )
