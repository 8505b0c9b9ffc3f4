"""Copies are not edited where they are shown: the source edits, syndication updates them.

Editing a copy is refused for every copy (the next update from the source would overwrite
it anyway); unpublishing or deleting is refused for mandatory copies. Optional copies are
declined from 信息共享 › 报送与转载, so the decision is recorded and the copy stays down.
"""

from django.contrib import messages
from django.shortcuts import redirect
from wagtail import hooks

from .models import SyndicatedPage


def _copy(page):
    return page.specific if page.specific_class is SyndicatedPage else None


def _back(page):
    parent = page.get_parent()
    return redirect("wagtailadmin_explore", parent.pk if parent else page.pk)


@hooks.register("before_edit_page")
def refuse_editing_copies(request, page):
    copy = _copy(page)
    if copy is None:
        return None
    if copy.mandatory:
        messages.error(request, f"“{copy.title}”是{copy.source_site_name}下发、必须转载的信息，本站只读。")
    else:
        messages.error(request, f"“{copy.title}”转载自{copy.source_site_name}，随原文自动更新，不能在本站修改；"
                                "如不需要，可在“信息共享 › 报送与转载”中退回。")
    return _back(page)


def _refuse_mandatory(request, page, action):
    copy = _copy(page)
    if copy is None or not copy.mandatory:
        return None
    messages.error(request, f"“{copy.title}”是必须转载的信息，不能{action}。")
    return _back(page)


@hooks.register("before_delete_page")
def refuse_deleting_mandatory_copies(request, page):
    return _refuse_mandatory(request, page, "删除")


@hooks.register("before_unpublish_page")
def refuse_unpublishing_mandatory_copies(request, page):
    return _refuse_mandatory(request, page, "撤回发布")
