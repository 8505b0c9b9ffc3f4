"""A site's admin for letters, 找错 and disclosure requests: only the tasks addressed to
this site (its own mailbox's letters, and letters routed to it). The office triages, routes,
reviews and publishes; a department answers or returns its routing."""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone

from federation.casework import services as cases
from federation.casework.errors import CaseError
from federation.casework.kinds import ACTION_LABELS
from federation.casework.models import CaseTask, TaskStatus
from security.roles import CASE_HANDLER, WEBMASTER
from tenants.models import Website

from . import services
from .models import KINDS, Letter, Mailbox


def can_handle(user) -> bool:
    return user.is_active and (
        user.is_superuser or user.groups.filter(name__in=[WEBMASTER, CASE_HANDLER]).exists()
    )


def _site(request) -> Website:
    if not can_handle(request.user):
        raise PermissionDenied("需要“办件员”或网站管理员角色，请联系本站网站管理员。")
    return Website.objects.current()


def letter_list(request):
    site = _site(request)
    kind = request.GET.get("kind") or None
    if kind not in (None, *KINDS):
        kind = None
    tasks = services.tasks_for(site, kind, open_only=request.GET.get("open") == "1")
    page_obj = Paginator(tasks, 30).get_page(request.GET.get("p"))
    reasons = services.rework_reasons(page_obj.object_list)
    for task in page_obj.object_list:
        task.rework_reason = reasons.get(task.pk, "")
    return render(
        request,
        "letters/admin/list.html",
        {
            "page_obj": page_obj,
            "kind": kind,
            "kinds": [(code, label) for code, (label, _p, _a) in KINDS.items()],
            "today": timezone.localdate(),
        },
    )


class RouteForm(forms.Form):
    to_site = forms.ModelChoiceField(label="转办至", queryset=Website.objects.none())
    note = forms.CharField(label="转办说明", max_length=500)
    working_days = forms.IntegerField(label="答复时限（工作日）", min_value=1, max_value=60)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", max_length=500)


class SendBackForm(forms.Form):
    to_site = forms.ModelChoiceField(label="退回哪个部门的答复", queryset=Website.objects.none())
    reason = forms.CharField(
        label="退回理由（部门可见，来信人不可见）",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    working_days = forms.IntegerField(
        label="重新答复时限（工作日；不填则沿用原期限）",
        min_value=1,
        max_value=60,
        required=False,
    )


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label="答复意见", max_length=4000, widget=forms.Textarea(attrs={"rows": 6})
    )


class ReviewForm(forms.Form):
    reply = forms.CharField(
        label="最终答复（写信人可见）", max_length=4000, widget=forms.Textarea(attrs={"rows": 6})
    )
    publish = forms.BooleanField(
        label="公开来信和答复（写信人已同意；个人信息自动隐去）", required=False
    )
    public_title = forms.CharField(label="公开标题（可修改）", max_length=200, required=False)
    public_content = forms.CharField(
        label="公开的来信内容（可修改，勿含个人信息）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class DisclosureAnswerForm(forms.Form):
    answer_type = forms.ChoiceField(label="答复类型", choices=Letter.AnswerType.choices)
    ground = forms.CharField(
        label="理由与法律依据（不予公开、部分公开时必填）", max_length=300, required=False
    )
    referral = forms.CharField(
        label="负责公开的机关（非本机关掌握时必填）", max_length=200, required=False
    )
    reply = forms.CharField(
        label="答复书内容", max_length=4000, widget=forms.Textarea(attrs={"rows": 6})
    )
    delivery = forms.ChoiceField(label="送达方式", choices=Letter.Delivery.choices)


def letter_detail(request, number):
    site = _site(request)
    task = (
        CaseTask.objects.filter(case__number=number, site=site, case__kind__in=list(KINDS))
        .select_related("case", "case__lead_site", "case__letter")
        .order_by("-pk")
        .first()
    )
    if task is None:
        raise_404()
    case = task.case
    letter = case.letter
    is_lead = task.role == CaseTask.Role.LEAD
    route_form = RouteForm(
        prefix="route",
        initial={
            "working_days": letter.mailbox.deadline_working_days
            if letter.mailbox
            else case.deadline_working_days
        },
    )
    route_form.fields["to_site"].queryset = (
        Website.objects.filter(kind__in=Website.SITE_KINDS)
        .exclude(pk=site.pk)
        .order_by("kind", "legal_name")
    )
    answered = services.answered_routings(case, site) if is_lead else []
    send_back_form = SendBackForm(prefix="send_back")
    send_back_form.fields["to_site"].queryset = Website.objects.filter(
        pk__in=[t.site_id for t in answered]
    )
    action = request.POST.get("action") if request.method == "POST" else None
    forms_by_action = {
        "send_back": send_back_form,
        "route": route_form,
        "return": ReasonForm(prefix="return"),
        "answer": ReplyForm(prefix="answer"),
        "review": ReviewForm(
            prefix="review",
            initial={
                "reply": _suggested_reply(case),
                "public_title": case.title,
                "public_content": services.redact(
                    case.content.get("text", ""), [case.applicant.get("name", "")]
                ),
            },
        ),
        "disclose": DisclosureAnswerForm(prefix="disclose", initial={"delivery": letter.delivery}),
        "extend": ReasonForm(prefix="extend"),
        "refuse": ReasonForm(prefix="refuse"),
    }
    if action in forms_by_action:
        form = forms_by_action[action].__class__(request.POST, prefix=action)
        if action in ("route", "send_back"):
            form.fields["to_site"].queryset = forms_by_action[action].fields["to_site"].queryset
        forms_by_action[action] = form
        if form.is_valid():
            try:
                _act(action, case, site, request.user, task, form.cleaned_data)
            except CaseError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"{case.number}：已保存。")
                return redirect("letters_detail", number=case.number)
    return render(
        request,
        "letters/admin/detail.html",
        {
            "case": case,
            "letter": letter,
            "task": task,
            "is_lead": is_lead,
            "forms": forms_by_action,
            "can_send_back": bool(answered),
            "rework_reason": services.rework_reasons([task]).get(task.pk, ""),
            "answers": services.department_answers(case) if is_lead else [],
            "routed": case.tasks.filter(role=CaseTask.Role.ROUTED).select_related("site")
            if is_lead
            else [],
            "steps": [
                (step, ACTION_LABELS.get(step.action, step.action))
                for step in case.steps.select_related("site").order_by("pk")
            ],
            "body": case.content.get("text") or case.content.get("information", ""),
            "purpose": case.content.get("purpose", ""),
            "applicant": "，".join(str(v) for v in case.applicant.values() if v),
        },
    )


def raise_404():
    from django.http import Http404

    raise Http404("没有交给本单位办理的这件来信。")


def _suggested_reply(case) -> str:
    answers = services.department_answers(case)
    return answers[-1][1] if answers else ""


def _act(action, case, site, user, task, data):
    if action == "route":
        if task.status == TaskStatus.PENDING:
            cases.accept(case, site, user=user)
        cases.route(
            case,
            site,
            data["to_site"],
            user=user,
            note=data["note"],
            working_days=data["working_days"],
        )
    elif action == "return":
        cases.return_routing(case, site, user=user, reason=data["reason"])
    elif action == "send_back":
        services.send_back(
            case,
            site,
            user,
            to_site=data["to_site"],
            reason=data["reason"],
            working_days=data["working_days"],
        )
    elif action == "answer":
        if task.status == TaskStatus.PENDING:
            cases.accept(case, site, user=user)
        # A routed department's answer goes to the office for review, not to the writer: the
        # writer reads the office's final reply (an answer sent back must never reach them).
        public = task.role != CaseTask.Role.ROUTED
        cases.answer(case, site, user=user, note=data["reply"], public=public)
    elif action == "review":
        services.review_and_complete(
            case,
            site,
            user,
            reply=data["reply"],
            publish=data["publish"],
            public_title=data["public_title"],
            public_content=data["public_content"],
        )
    elif action == "disclose":
        services.answer_disclosure_request(
            case,
            site,
            user,
            answer_type=data["answer_type"],
            ground=data["ground"],
            referral=data["referral"],
            reply=data["reply"],
            delivery=data["delivery"],
        )
    elif action == "extend":
        services.extend_disclosure_request(case, site, user, reason=data["reason"])
    elif action == "refuse":
        cases.refuse(case, site, user=user, reason=data["reason"])


def statistics(request):
    site = _site(request)
    boxes = services.default_mailboxes(site)
    month = request.GET.get("month")
    year = int(request.GET.get("year") or timezone.localdate().year)
    return render(
        request,
        "letters/admin/statistics.html",
        {
            "rows": [(box, services.monthly_statistics(box, month)) for box in boxes],
            "disclosure": services.disclosure_outcomes(site, year),
            "month": month or timezone.localdate().strftime("%Y-%m"),
            "mailboxes": Mailbox.objects.filter(site=site),
            "today": datetime.date.today(),
        },
    )
