"""Grade → review steps on Wagtail workflows; editors never publish; approvals are recorded."""

from django.contrib.auth.models import Group
from django.test import Client
from wagtail.models import GroupApprovalTask, PageLogEntry, TaskState, Workflow

from sites.disclosure import workflows as w
from sites.disclosure.models import PolicyDocumentPage, ReviewRoute
from tests.sites.disclosure.factories import make_article, make_document


def approve(page, user, comment):
    state = page.current_workflow_state.current_task_state
    task = state.task.specific
    assert task.get_actions(page, user), f"{user} may not act on {task}"
    task.on_action(state, user, "approve", comment=comment)
    page.refresh_from_db()


def test_provisioning_made_the_groups_tasks_and_routes(in_alpha):
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "编辑",
        "审核员",
        "保密审查员",
        "领导审批",
    }
    assert [
        t.name
        for t in Workflow.objects.get(name=w.SENSITIVE_WORKFLOW).tasks.order_by(
            "workflow_tasks__sort_order"
        )
    ] == ["审核", "保密审查", "领导审批"]
    assert ReviewRoute.objects.get(grade="general").workflow.name == w.GENERAL_WORKFLOW
    assert list(
        GroupApprovalTask.objects.get(name="保密审查").groups.values_list("name", flat=True)
    ) == ["保密审查员"]
    # running it again adds nothing
    before = (Group.objects.count(), Workflow.objects.count(), GroupApprovalTask.objects.count())
    w.ensure_review_workflows()
    assert before == (
        Group.objects.count(),
        Workflow.objects.count(),
        GroupApprovalTask.objects.count(),
    )


def test_the_grade_decides_the_workflow(in_alpha):
    general = make_document(publish=False, grade="general")
    sensitive = make_document(publish=False, grade="sensitive")
    assert general.get_workflow().name == w.GENERAL_WORKFLOW
    assert sensitive.get_workflow().name == w.SENSITIVE_WORKFLOW
    # plain articles fall under the home page's workflow: reviewed too
    from sites.core.models import ArticlePage, ColumnPage

    article = ColumnPage.objects.get(slug="gzdt").add_child(
        instance=ArticlePage(title="普通文章", slug="plain", date="2025-01-01")
    )
    assert article.get_workflow().name == w.GENERAL_WORKFLOW


def test_editors_have_no_publish_permission(staff):
    doc = make_document(publish=False)
    perms = doc.permissions_for_user(staff["editor"])
    assert perms.can_edit() and not perms.can_publish()
    for role in ("reviewer", "secrecy", "leader"):
        assert not doc.permissions_for_user(staff[role]).can_publish()


def test_sensitive_item_needs_all_three_approvals_each_recorded(staff):
    doc = make_document(publish=False, grade="sensitive", title="关于调整城区供热价格的通知")
    doc.save_revision(user=staff["editor"])
    doc.get_workflow().start(doc, staff["editor"])
    doc.refresh_from_db()

    # the confidentiality reviewer cannot act before the reviewer
    state = doc.current_workflow_state.current_task_state
    assert state.task.name == "审核"
    assert not state.task.specific.get_actions(doc, staff["secrecy"])
    assert not state.task.specific.get_actions(doc, staff["editor"])

    approve(doc, staff["reviewer"], "内容准确，同意")
    assert not doc.live and doc.current_workflow_state.current_task_state.task.name == "保密审查"
    approve(doc, staff["secrecy"], "不涉密，可公开")
    assert not doc.live and doc.current_workflow_state.current_task_state.task.name == "领导审批"
    approve(doc, staff["leader"], "同意发布")
    doc = PolicyDocumentPage.objects.get(pk=doc.pk)
    assert doc.live

    finished = TaskState.objects.filter(workflow_state__object_id=str(doc.pk)).order_by(
        "finished_at"
    )
    assert [(s.task.name, s.finished_by.username, s.comment) for s in finished] == [
        ("审核", "t_reviewer", "内容准确，同意"),
        ("保密审查", "t_secrecy", "不涉密，可公开"),
        ("领导审批", "t_leader", "同意发布"),
    ]
    assert all(s.finished_at for s in finished)
    logged = PageLogEntry.objects.filter(page=doc, action="wagtail.workflow.approve").order_by(
        "timestamp"
    )
    assert [(e.user.username, e.data["comment"]) for e in logged] == [
        ("t_reviewer", "内容准确，同意"),
        ("t_secrecy", "不涉密，可公开"),
        ("t_leader", "同意发布"),
    ]

    # …and the history page of the item shows who approved, with their comments
    admin = Client(HTTP_HOST="alpha.localhost")
    admin.force_login(staff["leader"])
    from tests.factories import PASSWORD

    admin.login(username="webmaster", password=PASSWORD)
    history = admin.get(f"/admin/pages/{doc.pk}/history/").content.decode()
    for text in ("t_reviewer", "不涉密，可公开", "同意发布"):
        assert text in history


def test_general_item_is_published_by_the_reviewers_approval(staff):
    doc = make_article(publish=False, grade="general")
    doc.save_revision(user=staff["editor"])
    doc.get_workflow().start(doc, staff["editor"])
    doc.refresh_from_db()
    approve(doc, staff["reviewer"], "")
    doc.refresh_from_db()
    assert doc.live


def test_an_editor_posting_publish_does_not_publish(staff):
    doc = make_document(publish=False)
    client = Client(HTTP_HOST="alpha.localhost")
    client.login(username="t_editor", password="Review-Pass-2026!")
    page = client.get(f"/admin/pages/{doc.pk}/edit/")
    assert page.status_code == 200
    assert 'name="action-publish"' not in page.content.decode()
    from tests.sites.disclosure.test_validation import edit_form

    client.post(f"/admin/pages/{doc.pk}/edit/", edit_form(doc))
    doc.refresh_from_db()
    assert not doc.live


def test_an_editor_cannot_approve_through_the_action_url(staff):
    doc = make_document(publish=False, grade="sensitive")
    doc.save_revision(user=staff["editor"])
    doc.get_workflow().start(doc, staff["editor"])
    doc.refresh_from_db()
    state = doc.current_workflow_state.current_task_state
    client = Client(HTTP_HOST="alpha.localhost")
    client.login(username="t_editor", password="Review-Pass-2026!")
    response = client.post(
        f"/admin/pages/workflow/action/{doc.pk}/approve/{state.pk}/", {"comment": "自己批准"}
    )
    assert response.status_code in (302, 403)
    state.refresh_from_db()
    assert state.status == TaskState.STATUS_IN_PROGRESS
    doc.refresh_from_db()
    assert not doc.live
