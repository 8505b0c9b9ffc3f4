"""Admin views of the emergency fast path (I5): release an item now, review it afterwards."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from wagtail.models import Page

from security import twofactor

from . import emergency
from .models import EmergencyInformationPage, EmergencyRelease


def _error_text(exc) -> str:
    return "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def release(request, page_id):
    """GET: the confirmation (what goes live, who approves, what the banner does); POST: do it."""
    page = get_object_or_404(Page, pk=page_id).specific
    if not isinstance(page, EmergencyInformationPage):
        raise PermissionDenied("只有“突发事件信息”可以走紧急发布快速通道。")
    if not emergency.can_fast_release(request.user):
        raise PermissionDenied("只有本站领导审批人员或网站管理员可以批准紧急发布。")
    latest = page.get_latest_revision_as_object()
    colour = emergency.colour_of(latest)
    context = {
        "page": page,
        "latest": latest,
        "level_words": emergency.COLOUR_WORDS[colour],
        "colour": colour,
        "automatic": emergency.banner_is_automatic(latest),
        "verified": twofactor.is_verified(request),
        "reason": request.POST.get("reason", ""),
        "want_banner": bool(request.POST.get("want_banner")),
        "error": None,
    }
    if request.method == "POST":
        if not request.POST.get("confirm"):
            context["error"] = "请勾选“我确认立即发布”。"
        else:
            try:
                made = emergency.fast_release(
                    latest,
                    request.user,
                    context["reason"],
                    want_banner=context["want_banner"],
                    verified=context["verified"],
                )
            except (ValidationError, PermissionDenied) as exc:
                context["error"] = _error_text(exc)
            else:
                messages.success(
                    request,
                    f"“{made.title}”已通过紧急发布快速通道发布（审批人：{made.approved_by}），"
                    f"{made.get_banner_display()}。请安排事后审核。",
                )
                return redirect("disclosure_emergency_releases")
    return render(request, "disclosure/admin/emergency_release.html", context)


def releases(request):
    """Every fast-path release of this site, and the reviews that follow publication."""
    user = request.user
    if not (emergency.can_fast_release(user) or emergency.can_post_review(user)):
        raise PermissionDenied
    rows = EmergencyRelease.objects.select_related("page").order_by("-approved_at")[:200]
    waiting = []
    if emergency.can_fast_release(user):  # what a leader may release (without opening the editor)
        waiting = EmergencyInformationPage.objects.filter(
            Q(live=False) | Q(has_unpublished_changes=True)
        ).order_by("-latest_revision_created_at")[:100]
    return render(
        request,
        "disclosure/admin/emergency_releases.html",
        {"releases": rows, "waiting": waiting, "can_review": emergency.can_post_review(user)},
    )


@require_POST
def review(request, release_id):
    row = get_object_or_404(EmergencyRelease, pk=release_id)
    try:
        emergency.post_review(row, request.user, request.POST.get("note", ""))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, f"已记录“{row.title}”的事后审核。")
    return redirect("disclosure_emergency_releases")
