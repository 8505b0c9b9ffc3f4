"""The applicant's side, on every site: status by number + query code (never the number
alone), the public steps and each department's status, the answer to a 补正 on the same
case, and the result documents.

A wrong code answers exactly as an unknown number does; wrong answers from one address are
counted (RATE_LIMITS["case_query"]) and each is recorded in the site's audit trail.
"""

from django.conf import settings
from django.contrib import messages
from django.db import connection
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_ratelimit.core import get_usage

from security.audit.context import client_ip
from security.audit.services import record

from . import access, services, storage
from .forms import QueryForm, SupplementForm
from .kinds import ACTION_LABELS, get_kind
from .models import CaseStatus

NOT_FOUND = "没有找到与该受理编号和查询码对应的办件，请核对后重试。"
# Wrong answers allowed per address and period when RATE_LIMITS names none.
DEFAULT_GUESSES = (10, 3600)


def _guess_limit() -> tuple[int, int]:
    return settings.RATE_LIMITS.get("case_query", DEFAULT_GUESSES)


def _address(group, request) -> str:
    return client_ip(request) or "unknown"


def _guesses(request, increment: bool) -> bool:
    """Whether this address has used up its wrong answers (counting one more if told)."""
    limit, period = _guess_limit()
    usage = get_usage(
        request,
        group=f"{connection.schema_name}:case_query",
        key=_address,
        rate=(limit, period),
        increment=increment,
    )
    return usage is not None and usage["count"] >= limit


@never_cache
@sensitive_post_parameters("number", "code")
def query(request):
    # ?number= prefills the form (a link from the receipt, the old /xinxiang/query/?number=).
    form = QueryForm(request.POST or None, initial={"number": request.GET.get("number", "")[:32]})
    status = 200
    if request.method == "POST":
        if _guesses(request, increment=False):
            _limit, period = _guess_limit()
            response = render(
                request,
                "casework/query.html",
                {"form": form, "limited": True, "minutes": period // 60},
                status=429,
            )
            response["Retry-After"] = str(period)
            return response
        if form.is_valid():
            case = services.find_case(form.cleaned_data["number"], form.cleaned_data["code"])
            if case is not None:
                access.grant(request, case)
                return redirect("casework:case", number=case.number)
            _guesses(request, increment=True)
            record(
                "case.query_failed",
                object_type="casework.case",
                object_repr=form.cleaned_data["number"][:32],
                message="受理编号或查询码不正确",
            )
            form.add_error(None, NOT_FOUND)
        status = 400
    return render(request, "casework/query.html", {"form": form}, status=status)


def _granted_or_query(request, number):
    case = access.granted_case(request, number)
    if case is None:
        messages.info(request, "请输入受理编号和查询码查看办件。")
    return case


@never_cache
def case_detail(request, number):
    case = _granted_or_query(request, number)
    if case is None:
        return redirect("casework:query")
    return render(request, "casework/case.html", _context(case, SupplementForm()))


def _context(case, form):
    kind = get_kind(case.kind)
    steps = list(services.public_steps(case))
    for step in steps:
        step.label = ACTION_LABELS.get(step.action, step.action)
        step.files = [a for a in step.attachments.all() if a.public]
    return {
        "case": case,
        "kind": kind,
        "status_word": services.public_status(case),
        "departments": services.department_statuses(case) if case.tasks.count() > 1 else [],
        "steps": steps,
        "results": case.attachments.filter(is_result=True, public=True),
        "supplement": case.status == CaseStatus.SUPPLEMENT,
        "supplement_requests": [s for s in steps if s.action == "request_supplement"][-1:],
        "form": form,
    }


@never_cache
@require_POST
@sensitive_post_parameters()
def supplement(request, number):
    case = _granted_or_query(request, number)
    if case is None:
        return redirect("casework:query")
    form = SupplementForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.answer_supplement(
                case, note=form.cleaned_data["note"], files=form.cleaned_data["files"]
            )
        except services.CaseError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "补正材料已提交，办理单位将继续办理。")
            return redirect("casework:case", number=case.number)
    case.refresh_from_db()
    return render(request, "casework/case.html", _context(case, form), status=400)


@never_cache
def download(request, number, attachment_id):
    """A file of the case the applicant may have: their own uploads and public results."""
    case = access.granted_case(request, number)
    if case is None:
        raise Http404
    attachment = case.attachments.filter(pk=attachment_id, public=True).first()
    if attachment is None:
        raise Http404
    return file_response(attachment)


def file_response(attachment):
    try:
        handle = storage.path_of(attachment).open("rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
