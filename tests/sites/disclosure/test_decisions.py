"""One decision per review step, by someone the step admits (sites.disclosure.decisions).

The browser journey caught it under load: the approval's own submit and Wagtail's autosave of
the same form (workflow fields included) both reached the edit view; the second approved the
next step in the first approver's name, and a 保密审查员's click published a sensitive item no
leader had approved."""

import pytest
from wagtail.models import TaskState

from sites.disclosure.decisions import DecisionRefused
from sites.disclosure.models import PolicyDocumentPage
from tests.clients import site_client
from tests.sites.disclosure.factories import edit_form, make_document


def submitted(staff):
    doc = make_document(publish=False, grade="sensitive")
    doc.save_revision(user=staff["editor"])
    doc.get_workflow().start(doc, staff["editor"])
    return PolicyDocumentPage.objects.get(pk=doc.pk)


def step(doc):
    return PolicyDocumentPage.objects.get(pk=doc.pk).current_workflow_state.current_task_state


def steps(doc):
    return list(
        TaskState.objects.filter(workflow_state__object_id=str(doc.pk))
        .order_by("pk")
        .values_list("task__name", "status", "finished_by__username")
    )


def test_a_step_is_decided_only_by_a_user_its_task_admits(staff):
    doc = submitted(staff)
    step(doc).approve(user=staff["reviewer"], comment="同意")
    # the reviewer's request, applied to the step that is current now: 保密审查
    with pytest.raises(DecisionRefused):
        step(doc).approve(user=staff["reviewer"], comment="同意")
    with pytest.raises(DecisionRefused):
        step(doc).reject(user=staff["leader"], comment="退回")
    assert steps(doc) == [
        ("审核", "approved", "t_reviewer"),
        ("保密审查", "in_progress", None),
    ]
    # its own group still decides it
    step(doc).approve(user=staff["secrecy"], comment="不涉密")
    assert step(doc).task.name == "领导审批"


def test_a_step_is_decided_once(staff):
    doc = submitted(staff)
    first, second = step(doc), step(doc)  # two requests read the same undecided step
    first.approve(user=staff["reviewer"], comment="同意")
    with pytest.raises(DecisionRefused):
        second.approve(user=staff["reviewer"], comment="同意")
    # one 保密审查 step started, not two
    assert steps(doc) == [
        ("审核", "approved", "t_reviewer"),
        ("保密审查", "in_progress", None),
    ]


def test_the_last_approval_cannot_be_taken_in_a_previous_approvers_name(staff):
    doc = submitted(staff)
    step(doc).approve(user=staff["reviewer"], comment="同意")
    step(doc).approve(user=staff["secrecy"], comment="不涉密")
    with pytest.raises(DecisionRefused):
        step(doc).approve(user=staff["secrecy"], comment="不涉密")
    assert not PolicyDocumentPage.objects.get(pk=doc.pk).live
    step(doc).approve(user=staff["leader"], comment="同意发布")
    assert PolicyDocumentPage.objects.get(pk=doc.pk).live


def test_an_autosave_never_carries_a_decision(staff, alpha):
    doc = submitted(staff)
    client = site_client(alpha, staff["reviewer"])
    form = edit_form(doc)
    del form["action-publish"]
    form.update(
        {
            "action-workflow-action": "true",
            "workflow-action-name": "approve",
            "workflow-action-extra-data": '{"comment": "同意"}',
        }
    )
    # Wagtail's autosave posts the whole form, with the fields the approve button added
    response = client.post(f"/admin/pages/{doc.pk}/edit/", form, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json()["error_code"] == "workflow_action_not_autosaved"
    assert steps(doc) == [("审核", "in_progress", None)]
    # the approve button's own submit decides
    response = client.post(f"/admin/pages/{doc.pk}/edit/", form)
    assert response.status_code == 302
    assert steps(doc)[0] == ("审核", "approved", "t_reviewer")


def test_an_approval_posted_twice_from_the_dashboard_is_taken_once(staff, alpha):
    doc = submitted(staff)
    state = step(doc)
    client = site_client(alpha, staff["reviewer"])
    url = f"/admin/pages/workflow/action/{doc.pk}/approve/{state.pk}/"
    assert client.post(url, {"comment": "同意"}).status_code == 302
    # the second click of a double click, on the step it showed
    response = client.post(url, {"comment": "同意"}, follow=True)
    assert "这一步已经处理过" in response.content.decode()
    assert steps(doc) == [
        ("审核", "approved", "t_reviewer"),
        ("保密审查", "in_progress", None),
    ]
