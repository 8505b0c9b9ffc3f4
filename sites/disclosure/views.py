"""Admin view: the yearly disclosure report figures, on screen and as CSV."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from wagtail.admin.views.pages.workflow import WorkflowActionView

from . import review, services
from .decisions import DecisionRefused

REPORT_PERMISSION = "disclosure.view_disclosure_report"


def yearly_report(request):
    if not request.user.has_perm(REPORT_PERMISSION):
        raise PermissionDenied
    this_year = timezone.localdate().year
    error = None
    raw = request.GET.get("year", str(this_year))
    try:
        year = int(raw)
        if not 1990 <= year <= this_year + 1:
            raise ValueError
    except ValueError:
        error = f"年份“{raw[:10]}”无效：请填写 1990 至 {this_year + 1} 之间的年份。"
        year = this_year
    report = services.yearly_report(year)
    if request.GET.get("format") == "csv" and not error:
        response = HttpResponse(
            "\ufeff" + services.yearly_report_csv(report),  # BOM: Excel reads it as UTF-8
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="disclosure-report-{year}.csv"'
        return response
    return render(
        request,
        "disclosure/admin/yearly_report.html",
        {
            "report": report,
            "error": error,
            "years": range(this_year, this_year - 10, -1),
            "header_title": "政府信息公开年度报告数据",
        },
        status=400 if error else 200,
    )


class ReviewActionView(WorkflowActionView):
    """Wagtail's approve / request-changes action, landing where the approver may go (review).
    A step someone already decided (a double click, a second tab) is refused with a message
    and the approver lands as after their own decision (decisions.py)."""

    def post(self, request, *args, **kwargs):
        on_action = self.task.on_action

        def act(*a, **kw):
            url = on_action(*a, **kw)
            review.tell(request, self.object)
            return url or review.landing_url(request, self.object)

        self.task.on_action = act
        try:
            if self.task_state.status != self.task_state.STATUS_IN_PROGRESS:
                raise DecisionRefused(f"「{self.task.name}」这一步已经处理过，不能再次处理。")
            return super().post(request, *args, **kwargs)
        except DecisionRefused as refused:  # here, or by a request that decided it meanwhile
            messages.error(request, str(refused))
            url = review.landing_url(request, self.object)
            if request.headers.get("x-requested-with") == "XMLHttpRequest":
                return self.render_modal_json(request, {"step": "success", "redirect": url})
            return redirect(url)
