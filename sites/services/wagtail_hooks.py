"""The admin's publishing paths say what a guide lacks before anything is half done (the rule
and its enforcement on every path: completeness.py)."""

from django.contrib import messages
from django.shortcuts import redirect
from wagtail import hooks

from . import completeness
from .models import ServiceItemPage


def _missing_in_latest(page) -> list[str]:
    specific = page.specific
    if not isinstance(specific, ServiceItemPage):
        return []
    revision = specific.get_latest_revision()
    if revision is None:
        return completeness.missing_in_page(specific)
    return completeness.missing_in_content(revision.content or {})


@hooks.register("before_publish_page")
def guide_before_publish(request, page):
    """Publish button, create-and-publish, revert-and-publish: the revision just saved stays a
    draft (nothing lost) and the editor is told what to fill in."""
    if isinstance(page, ServiceItemPage):
        missing = _missing_in_latest(page)
        if missing:
            messages.error(request, completeness.message(page.title, missing))
            return redirect("wagtailadmin_pages:edit", page.pk)
    return None


@hooks.register("before_bulk_action")
def guide_before_bulk_publish(request, action_type, objects, action):
    if action_type != "publish":
        return None
    pages = list(objects)
    if action.get_execution_context().get("include_descendants"):
        for page in objects:
            pages += list(page.get_descendants().filter(has_unpublished_changes=True))
    refused = [(page, missing) for page in pages if (missing := _missing_in_latest(page))]
    if refused:
        page, missing = refused[0]
        messages.error(
            request,
            f"未发布任何页面。{completeness.message(page.title, missing)}"
            f"（共 {len(refused)} 个事项指南不完整）",
        )
        return redirect(action.next_url)
    return None


@hooks.register("before_copy_page")
def guide_before_copy(request, page):
    """A copy kept live goes live at once: refused for an incomplete guide (a draft copy is
    fine)."""
    if request.method != "POST" or not request.POST.get("publish_copies"):
        return None
    pages = [page]
    if request.POST.get("copy_subpages"):
        pages += list(page.get_descendants().live())
    for candidate in pages:
        specific = candidate.specific
        if isinstance(specific, ServiceItemPage) and candidate.live:
            missing = completeness.missing_in_page(specific)
            if missing:
                messages.error(request, completeness.message(specific.title, missing))
                return redirect("wagtailadmin_pages:copy", page.pk)
    return None
