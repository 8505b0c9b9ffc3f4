"""Admin views, inside each site's Wagtail admin under /admin/monitoring/.

A site's users see their own site's card, probes, alerts, broken links, visits and annual
report, and nothing of any other site: every query is filtered by the request's site. The
municipal office — the portal's 网站管理员 and 市级编审 (MONITORING_OFFICE_GROUPS) — also gets
the ranking of every site and each site's findings; those views answer 404 on any other site.
"""

import datetime
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from config.tasks import enqueue
from security.audit.context import actor_name
from security.roles import is_webmaster
from tenants.models import Website

from . import linkcheck, ranking, report, scorecards, tasks
from .models import BrokenLink, DefacementAlert, LinkCheckRun, ProbeResult, VisitDay
from .notify import admin_link

OFFICE_GROUPS_DEFAULT = ("市级编审", "网站管理员")


def is_office(user, site) -> bool:
    """The municipal office: the portal's office roles (every site's scores, O4)."""
    if site is None or site.kind != Website.Kind.PORTAL or not user.is_authenticated:
        return False
    groups = getattr(settings, "MONITORING_OFFICE_GROUPS", OFFICE_GROUPS_DEFAULT)
    return user.is_superuser or user.groups.filter(name__in=groups).exists()


def site_view(office=False):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            site = Website.objects.current()
            if site is None:
                raise Http404("not a site")
            if office and not is_office(request.user, site):
                raise Http404("only the municipal office, on the portal")
            return view(request, site, *args, **kwargs)

        return wrapped

    return decorator


def card_context(website, *, external=False) -> dict:
    """Everything the card shows for `website` (its own admin, or the office's drill-down)."""
    card = scorecards.latest_card(website)
    since = timezone.now() - datetime.timedelta(days=1)
    probes = ProbeResult.objects.filter(website=website, started_at__gte=since)
    entries = (
        probes.values("entry", "path")
        .annotate(
            total=Count("id", filter=Q(absent=False)),
            failed=Count("id", filter=Q(ok=False, absent=False)),
            absent=Count("id", filter=Q(absent=True)),
        )
        .order_by("path")
    )
    order = {"veto": 0, "warning": 1, "deduction": 2, "note": 3}
    findings = sorted(card.findings.all() if card else [], key=lambda f: (order[f.severity], f.pk))
    for f in findings:
        f.link = admin_link(website, f.admin_path) if external else f.admin_path
    month = timezone.localdate() - datetime.timedelta(days=30)
    visits = VisitDay.objects.filter(website=website, day__gt=month)
    return {
        "website": website,
        "card": card,
        "findings": findings,
        "trend": ranking.trend(website, width=480, height=120),
        "entries": entries,
        "latest_probes": probes.order_by("-started_at")[:8],
        "alerts": DefacementAlert.objects.filter(website=website).order_by("-detected_at")[:10],
        "broken_count": BrokenLink.objects.filter(website=website).count(),
        "last_link_run": LinkCheckRun.objects.filter(website=website).first(),
        "visits_total": visits.aggregate(n=Sum("views"))["n"] or 0,
        "top_pages": visits.values("path").annotate(n=Sum("views")).order_by("-n")[:10],
        "external": external,
    }


@site_view()
def site_card(request, site):
    context = card_context(site)
    context.update(
        heading="网站监测与绩效评估",
        can_resolve=is_webmaster(request.user),
        is_office=is_office(request.user, site),
        years=range(timezone.localdate().year, timezone.localdate().year - 3, -1),
    )
    return render(request, "monitoring/admin/card.html", context)


@require_POST
@site_view()
def recompute(request, site):
    card = scorecards.compute_scorecard(site)
    messages.success(request, f"已重新评估：{card.score} 分，{card.verdict}。")
    return redirect("monitoring_card")


@require_POST
@site_view()
def resolve_alert(request, site, alert_id):
    if not is_webmaster(request.user):
        raise PermissionDenied("只有网站管理员可以处理篡改告警。")
    alert = get_object_or_404(DefacementAlert, pk=alert_id, website=site)
    status = request.POST.get("status")
    if status not in (DefacementAlert.Status.CONFIRMED, DefacementAlert.Status.DISMISSED):
        messages.error(request, "请选择“确认篡改”或“正常变更”。")
        return redirect("monitoring_card")
    alert.status = status
    alert.resolved_by = actor_name(request.user)
    alert.resolved_at = timezone.now()
    alert.save(update_fields=["status", "resolved_by", "resolved_at"])
    messages.success(request, f"已标记为“{alert.get_status_display()}”。")
    return redirect("monitoring_card")


@site_view()
def broken_links(request, site):
    pages = {}
    for link in BrokenLink.objects.filter(website=site).order_by("page_path", "url"):
        pages.setdefault((link.page_path, link.page_title, link.page_id), []).append(link)
    return render(
        request,
        "monitoring/admin/links.html",
        {
            "heading": "失效链接",
            "pages": [
                (path, title, page_id, links) for (path, title, page_id), links in pages.items()
            ],
            "last_run": LinkCheckRun.objects.filter(website=site).first(),
            "outbound": settings.MONITORING_CHECK_OUTBOUND,
        },
    )


@require_POST
@site_view()
def recheck(request, site):
    page_path = request.POST.get("page_path", "")
    if page_path:
        if not BrokenLink.objects.filter(website=site, page_path=page_path).exists():
            messages.error(request, "该页面没有待复查的失效链接，请刷新后重试。")
            return redirect("monitoring_links")
        run = linkcheck.check_site(site, [page_path])
        if run.broken:
            messages.warning(request, f"重新检查完成：该页面仍有 {run.broken} 个失效链接。")
        else:
            messages.success(request, "重新检查完成：该页面的链接都已正常。")
    else:
        # A whole site can take minutes: a task (a worker's, or run after this response's
        # transaction without a broker), not the request's own time.
        enqueue(tasks.link_check_site, schema=site.schema_name)
        messages.success(request, "已开始全站链接检查，完成后刷新本页即可看到结果。")
    return redirect("monitoring_links")


@site_view()
def annual_report(request, site):
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    if not 2000 <= year <= timezone.localdate().year:
        messages.error(request, "年份应在 2000 年至今年之间。")
        return redirect("monitoring_report")
    rows = report.annual_report(site, year)
    if request.GET.get("format") == "xlsx":
        return ranking.xlsx_response(
            ranking.report_workbook(site, year, rows),
            f"annual-report-{site.schema_name}-{year}.xlsx",
        )
    sections = []
    for row in rows:
        if not sections or sections[-1][0] != row.section:
            sections.append((row.section, []))
        sections[-1][1].append(row)
    return render(
        request,
        "monitoring/admin/report.html",
        {
            "heading": f"{year} 年度政府网站工作报表",
            "year": year,
            "sections": sections,
            "site": site,
        },
    )


@site_view(office=True)
def office_ranking(request, site):
    rows = ranking.ranking()
    fmt = request.GET.get("format")
    stamp = f"{timezone.localdate():%Y%m%d}"
    if fmt == "csv":
        return ranking.csv_response(rows, f"site-ranking-{stamp}.csv")
    if fmt == "xlsx":
        return ranking.xlsx_response(ranking.ranking_workbook(rows), f"site-ranking-{stamp}.xlsx")
    return render(
        request, "monitoring/admin/ranking.html", {"heading": "各网站绩效评估排名", "rows": rows}
    )


@site_view(office=True)
def office_site(request, site, schema_name):
    website = Website.objects.sites().filter(schema_name=schema_name).first()
    if website is None:
        raise Http404("no such site")
    context = card_context(website, external=True)
    context.update(heading=f"{website.legal_name}：评估详情", can_resolve=False, is_office=True)
    return render(request, "monitoring/admin/site_detail.html", context)
