"""One decision per review step, taken by someone the step admits (I3, I4).

Wagtail's edit view checks which actions the user may take on the step that is current when
the request starts, and applies the action to the step that is current when it ends; a step
is checked undecided only on the copy the request read. Two requests from one click can then
both pass: the approval itself and Wagtail's autosave, which posts the same edit form a moment
later, workflow fields included (a double submit does the same). The second request lands
after the first moved the item on, and approves the *next* step in the first approver's name.
Seen in the browser journey under load: a reviewer's click also approved 保密审查, and a
confidentiality reviewer's also approved 领导审批 — which finished the workflow and published
a sensitive item no leader had approved.

Two guards, both in this module:
- `check_decision`, on every TaskState save (pre_save, connected in apps.py), whatever the path
  (edit view, dashboard, the action modal, a script): a step is decided once — its row is
  locked and re-read — and only by a user its task gives that action to.
- `refuse_autosaved_decision` (before_edit_page): an autosave never carries a decision; only
  the approver's own submit does.
"""

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import JsonResponse

DECISIONS = {"approved": "approve", "rejected": "reject"}  # TaskState status → task action


class DecisionRefused(PermissionDenied):
    pass


def check_decision(state) -> None:
    """Raise DecisionRefused unless saving `state` is a first decision by an admitted user."""
    from wagtail.models import TaskState

    action = DECISIONS.get(state.status)
    if state.pk is None or action is None:
        return  # a new step, or not a decision (cancelled, skipped…)
    rows = TaskState.objects.filter(pk=state.pk)
    if connection.in_atomic_block:  # approve()/reject() are atomic: hold the row to the end
        rows = rows.select_for_update()
    stored = rows.values_list("status", "finished_at").first()
    if stored is None:
        return
    status, finished_at = stored
    if status != TaskState.STATUS_IN_PROGRESS:
        if (status, finished_at) == (state.status, state.finished_at):
            return  # the same decision saved again
        raise DecisionRefused(f"「{state.task.name}」这一步已经处理过，不能再次处理。")
    user = state.finished_by
    if user is None:
        return  # decided by the system (a script or a command), not by a request's user
    item = state.workflow_state.content_object
    allowed = {name for name, _label, _modal in state.task.specific.get_actions(item, user)}
    if action not in allowed:
        raise DecisionRefused(f"{user} 不能处理「{state.task.name}」这一步。")


def refuse_autosaved_decision(request, page):
    """before_edit_page: an autosave (a JSON post) carrying the workflow fields the approve
    button added to the form is refused; the button's own submit carries the decision."""
    if request.method != "POST" or "action-workflow-action" not in request.POST:
        return None
    if request.accepts("text/html"):
        return None
    return JsonResponse(
        {
            "success": False,
            "error_code": "workflow_action_not_autosaved",
            "error_message": "审批只能由审批按钮提交，自动保存不处理审批。",
        },
        status=400,
    )
