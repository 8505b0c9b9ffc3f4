"""Copies are not changed where they are shown: the source edits, syndication updates them.

Editing, unpublishing or deleting a copy in the receiving admin is refused: an edit would be
overwritten by the next update from the source, and a copy unpublished or deleted by hand
would come back with it. Mandatory copies stay; optional ones are declined from
信息共享 › 报送与转载, so the decision is recorded and the copy stays down.
"""

from django.contrib import messages
from django.shortcuts import redirect
from wagtail import hooks

from .models import SyndicatedPage


def _refuse(request, page, action):
    if page.specific_class is not SyndicatedPage:
        return None
    copy = page.specific
    if copy.mandatory:
        messages.error(
            request,
            f"“{copy.title}”是{copy.source_site_name}下发、必须转载的信息，本站只读，不能{action}。",
        )
    else:
        messages.error(
            request,
            f"“{copy.title}”转载自{copy.source_site_name}，随原文自动更新，不能在本站{action}；"
            "如不需要，请在“信息共享 › 报送与转载”中退回。",
        )
    parent = page.get_parent()
    return redirect("wagtailadmin_explore", parent.pk if parent else page.pk)


@hooks.register("before_edit_page")
def refuse_editing_copies(request, page):
    return _refuse(request, page, "修改")


@hooks.register("before_delete_page")
def refuse_deleting_copies(request, page):
    return _refuse(request, page, "删除")


@hooks.register("before_unpublish_page")
def refuse_unpublishing_copies(request, page):
    return _refuse(request, page, "撤回发布")
