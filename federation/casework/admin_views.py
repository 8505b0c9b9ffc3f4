"""The site admin's 办件: the tasks addressed to this site only, a case's detail for a site
that handles it, and the actions its task's state allows.

A site sees a case only through a task of its own (no task, no case: 404, whoever asks), and
then sees the other departments' parts too, since both handle it. Staff: the site's
webmasters and 办件员 (security.roles.CASE_HANDLER).
"""

import datetime
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models as db
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from security.audit.services import record
from security.roles import CASE_HANDLER, WEBMASTER
from tenants.models import Website
from tenants.workdays import add_working_days

from . import services
from .forms import MultipleFileField
from .kinds import ACTION_LABELS, get_kind, kinds
from .models import OPEN_TASK_STATUSES, Case, CaseTask, TaskStatus
from .views import file_response

HEADING = "办件"
PER_PAGE = 50
# A task whose deadline is this many working days away or less is "near" (dashboard, mail).
NEAR_WORKING_DAYS = 2


def can_handle(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or user.groups.filter(name__in=[CASE_HANDLER, WEBMASTER]).exists()
    )


def handler_view(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        site = Website.objects.current()
        if site is None:
            raise Http404("not a site")
        if not can_handle(request.user):
            raise PermissionDenied("只有本站网站管理员和办件员可以处理办件。")
        return view(request, site, *args, **kwargs)

    return wrapped


def site_tasks(site):
    """This site's tasks, overdue first, then by deadline."""
    today = timezone.localdate()
    return (
        CaseTask.objects.filter(site=site)
        .select_related("case")
        .annotate(
            overdue=db.Case(
                db.When(status__in=OPEN_TASK_STATUSES, deadline__lt=today, then=db.Value(0)),
                default=db.Value(1),
                output_field=db.IntegerField(),
            )
        )
        .order_by("overdue", "deadline", "pk")
    )


FILTERS = {
    "open": ("办理中（全部未完成）", {"status__in": OPEN_TASK_STATUSES}),
    "overdue": ("已超期", None),
    "all": ("全部", {}),
}


@handler_view
def task_list(request, site):
    tasks = site_tasks(site)
    chosen = request.GET.get("state") or "open"
    today = timezone.localdate()
    if chosen == "overdue":
        tasks = tasks.filter(status__in=OPEN_TASK_STATUSES, deadline__lt=today)
    elif chosen in TaskStatus.values:
        tasks = tasks.filter(status=chosen)
    elif chosen in FILTERS:
        tasks = tasks.filter(**FILTERS[chosen][1])
    else:
        chosen = "all"
    kind = request.GET.get("kind") or ""
    if kind:
        tasks = tasks.filter(case__kind=kind)
    page = Paginator(tasks, PER_PAGE).get_page(request.GET.get("p"))
    for task in page:
        task.kind_label = get_kind(task.case.kind).label
        task.is_overdue = task.is_open and task.deadline is not None and task.deadline < today
    states = [(key, label) for key, (label, _) in FILTERS.items()] + list(TaskStatus.choices)
    return render(
        request,
        "casework/admin/task_list.html",
        {
            "heading": HEADING,
            "site": site,
            "page": page,
            "states": states,
            "chosen": chosen,
            "kinds": kinds(),
            "kind": kind,
        },
    )


def _case_for_site(site, number) -> tuple[Case, CaseTask]:
    number = services.normalise_number(number)
    case = Case.objects.filter(number=number).select_related("lead_site").first()
    task = services.task_of(case, site) if case is not None else None
    if task is None:  # not addressed to this site: as if it did not exist
        raise Http404("no such case here")
    return case, task


def _actions(case, task) -> list[str]:
    """The actions this site may take now, in the order the admin shows them."""
    kind = get_kind(case.kind)
    if not case.is_open:
        return []
    found = []
    for action in (
        "accept",
        "request_supplement",
        "start",
        "answer",
        "complete",
        "refuse",
        "route",
        "return_routing",
        "extend",
    ):
        if not kind.allows(action):
            continue
        starts, _target = kind.transitions[action]
        if task.status not in starts:
            continue
        if action == "complete" and task.role != CaseTask.Role.LEAD:
            continue
        if action == "answer" and task.role == CaseTask.Role.LEAD:
            continue  # the lead completes the case instead
        if action == "return_routing" and task.role != CaseTask.Role.ROUTED:
            continue
        if action == "extend" and task.extended:
            continue
        found.append(action)
    return found


@handler_view
def case_detail(request, site, number):
    case, task = _case_for_site(site, number)
    kind = get_kind(case.kind)
    tasks = list(case.tasks.select_related("site").order_by("pk"))
    for other in tasks:
        other.word = kind.task_word(other.status)
    steps = list(case.steps.select_related("site").prefetch_related("attachments"))
    for step in steps:
        step.label = ACTION_LABELS.get(step.action, step.action)
    open_parts = [t for t in tasks if t.is_open and t.pk != task.pk]
    return render(
        request,
        "casework/admin/case_detail.html",
        {
            "heading": f"{HEADING} {case.number}",
            "site": site,
            "case": case,
            "kind": kind,
            "task": task,
            "tasks": tasks,
            "steps": steps,
            "actions": [(a, ACTION_LABELS[a]) for a in _actions(case, task)],
            "waiting_parts": open_parts,
            "route_targets": Website.objects.sites()
            .filter(status=Website.Status.ACTIVE)
            .exclude(pk=site.pk)
            .order_by("kind", "legal_name"),
            "status_word": services.public_status(case),
        },
    )


def _files(request):
    field = MultipleFileField()
    return field.clean(request.FILES.getlist("files"))


@require_POST
@sensitive_post_parameters()
@handler_view
def act(request, site, number, action):
    case, task = _case_for_site(site, number)
    post = request.POST
    user = request.user
    text = (post.get("note") or "").strip()
    try:
        if action == "accept":
            services.accept(case, site, user=user, note=text)
        elif action == "request_supplement":
            services.request_supplement(case, site, user=user, missing=text, files=_files(request))
        elif action == "refuse":
            services.refuse(case, site, user=user, reason=text, files=_files(request))
        elif action == "start":
            services.start(case, site, user=user, note=text)
        elif action == "answer":
            services.answer(
                case,
                site,
                user=user,
                note=text,
                files=_files(request),
                public=post.get("internal") != "1",
            )
        elif action == "complete":
            services.complete(case, site, user=user, note=text, files=_files(request))
        elif action == "route":
            target = Website.objects.sites().filter(schema_name=post.get("to_site") or "").first()
            if target is None:
                raise services.CaseError("请选择转办的网站（部门）。")
            services.route(case, site, target, user=user, note=text)
        elif action == "return_routing":
            services.return_routing(case, site, user=user, reason=text)
        elif action == "extend":
            services.extend(
                case, site, user=user, working_days=post.get("working_days"), reason=text
            )
        else:
            raise Http404("no such action")
    except services.CaseError as exc:
        messages.error(request, f"{ACTION_LABELS.get(action, action)}未完成：{exc}")
    except ValidationError as exc:  # an upload the form field refused
        messages.error(request, "上传的文件有误：" + " ".join(exc.messages))
    else:
        messages.success(request, f"办件 {case.number}：已{ACTION_LABELS[action]}。")
    return redirect("casework_case", number=case.number)


@handler_view
def download(request, site, number, attachment_id):
    case, _task = _case_for_site(site, number)
    attachment = case.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    record(
        "case.download",
        object_type="casework.case",
        object_id=case.pk,
        object_repr=case.number,
        message=f"下载 {attachment.name}",
    )
    return file_response(attachment)


# --- what waits: the dashboard's 我的待办 and the deadline mail ---------------------------


def near_or_overdue(site, today: datetime.date | None = None):
    """This site's open tasks whose deadline is within NEAR_WORKING_DAYS or past."""
    today = today or timezone.localdate()
    horizon, _ = add_working_days(today, NEAR_WORKING_DAYS)
    return (
        CaseTask.objects.filter(site=site, status__in=OPEN_TASK_STATUSES, deadline__lte=horizon)
        .select_related("case")
        .order_by("deadline", "pk")
    )
