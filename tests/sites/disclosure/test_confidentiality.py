"""保密审查 cannot be bypassed (issue 13, item 2; I3, I4): whoever holds publish_page, by
whichever path, a version of an item that needs confidentiality review goes live only with a
recorded 保密审查 approval of that version; lowering the grade sends it back to review."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tenants.utils import schema_context
from wagtail.actions.copy_page import CopyPageAction
from wagtail.models import GroupPagePermission, Page, TaskState

from security.roles import MUNICIPAL_CURATOR, WEBMASTER
from sites.disclosure import workflows as w
from sites.disclosure.confidentiality import ConfidentialityReviewRequired
from sites.disclosure.models import PolicyDocumentPage
from tests.clients import site_client
from tests.sites.disclosure.factories import edit_form, make_article, make_document, make_user

REFUSED = "须经保密审查"

# Every role that holds publish_page on a site (checked below against the provisioned grants).
PUBLISHERS = [("alpha", WEBMASTER), ("portal", WEBMASTER), ("portal", MUNICIPAL_CURATOR)]


def test_the_publishers_listed_are_every_role_with_publish_rights(alpha, portal):
    found = set()
    for site in (alpha, portal):
        with schema_context(site.schema_name):
            names = GroupPagePermission.objects.filter(
                permission__codename="publish_page"
            ).values_list("group__name", flat=True)
            found |= {("alpha" if site is alpha else "portal", name) for name in names}
    assert found == set(PUBLISHERS)


@pytest.fixture(params=PUBLISHERS, ids=lambda p: f"{p[0]}-{p[1]}")
def publisher(request, alpha, portal):
    """(site, a signed-in admin client of a publisher, the user); the test runs in the site."""
    site = alpha if request.param[0] == "alpha" else portal
    with schema_context(site.schema_name):
        user = make_user(f"pub_{len(request.param[1])}", request.param[1])
        client = site_client(site, user)
        yield site, client, user


def a_column():
    from sites.core.models import ColumnPage

    return ColumnPage.objects.filter(slug="zcwj").first() or ColumnPage.objects.first()


def sensitive_draft(**fields):
    doc = make_document(parent=a_column(), publish=False, grade="sensitive", **fields)
    doc.save_revision()
    return PolicyDocumentPage.objects.get(pk=doc.pk)


def sensitive_article():
    doc = make_article(parent=a_column(), publish=False, grade="sensitive")
    doc.save_revision()
    return doc


def run_review(doc, approvals=("审核", "保密审查", "领导审批")):
    """The review flow, each step by a member of its group; returns the fresh page."""
    roles = {"审核": w.REVIEWER, "保密审查": w.CONFIDENTIALITY_REVIEWER, "领导审批": w.LEADER}
    editor = make_user("conf_editor", w.EDITOR)
    doc.get_workflow().start(doc, editor)
    for step in approvals:
        doc = Page.objects.get(pk=doc.pk).specific
        state = doc.current_workflow_state.current_task_state
        assert state.task.name == step
        approver = make_user(f"conf_{len(step)}_{ord(step[0])}", roles[step])
        state.task.specific.on_action(state, approver, "approve", comment="同意")
    return Page.objects.get(pk=doc.pk).specific


def assert_refused(response, doc):
    assert REFUSED in response.content.decode(), response.content.decode()[:500]
    doc = Page.objects.get(pk=doc.pk)
    return doc


# --- every publisher × every admin path --------------------------------------------------


def test_publish_button(publisher):
    site, client, _ = publisher
    doc = sensitive_draft()
    response = client.post(f"/admin/pages/{doc.pk}/edit/", edit_form(doc), follow=True)
    assert not assert_refused(response, doc).live
    # the draft is kept: nothing the publisher typed is lost
    assert Page.objects.get(pk=doc.pk).get_latest_revision().user is not None


def test_scheduled_go_live_is_refused_when_set(publisher):
    site, client, _ = publisher
    doc = sensitive_draft()
    form = edit_form(doc, go_live_at="2030-01-01 09:00")
    response = client.post(f"/admin/pages/{doc.pk}/edit/", form, follow=True)
    assert not assert_refused(response, doc).live
    assert not doc.revisions.filter(approved_go_live_at__isnull=False).exists()


def test_bulk_publish(publisher):
    site, client, _ = publisher
    doc = sensitive_draft()
    other = sensitive_draft()
    response = client.post(
        f"/admin/bulk/wagtailcore/page/publish/?id={doc.pk}&id={other.pk}&next=/admin/",
        {},
        follow=True,
    )
    assert not assert_refused(response, doc).live
    assert not Page.objects.get(pk=other.pk).live


def test_copy_with_publish(publisher):
    site, client, _ = publisher
    doc = run_review(sensitive_article())
    assert doc.live  # approved: the original is live
    before = Page.objects.count()
    response = client.post(
        f"/admin/pages/{doc.pk}/copy/",
        {
            "new_title": "副本",
            "new_slug": "fuben-conf",
            "new_parent_page": doc.get_parent().pk,
            "publish_copies": "on",
        },
        follow=True,
    )
    assert Page.objects.count() == before
    assert not Page.objects.filter(slug="fuben-conf").exists()
    assert REFUSED in response.content.decode()


def test_revert_to_an_unreviewed_revision(publisher):
    site, client, _ = publisher
    doc = sensitive_draft(title="旧版本")
    doc = run_review(doc)
    approved = doc.live_revision_id
    # an unreviewed draft on top, then an attempt to publish an older unreviewed version
    doc.title = "未审查的修改"
    unreviewed = doc.save_revision()
    response = client.post(
        f"/admin/pages/{doc.pk}/revisions/{unreviewed.pk}/revert/",
        edit_form(doc, title="未审查的修改"),
        follow=True,
    )
    page = assert_refused(response, doc)
    assert page.live_revision_id == approved and page.title != "未审查的修改"


def test_move_does_not_publish(publisher):
    site, client, _ = publisher
    doc = sensitive_draft()
    from sites.core.models import ColumnPage

    target = ColumnPage.objects.exclude(pk=doc.get_parent().pk).first()
    client.post(f"/admin/pages/{doc.pk}/move/{target.pk}/confirm/", {}, follow=True)
    assert not Page.objects.get(pk=doc.pk).live


# --- the paths without a screen: scheduled sweep, scripts (the API of the models) ----------


def test_scheduled_sweep_does_not_publish_and_goes_on(in_alpha):
    doc = sensitive_draft()
    fine = make_document(publish=False, grade="general")
    past = timezone.now() - datetime.timedelta(minutes=5)
    for page in (doc, fine):
        page.go_live_at = past
        revision = page.save_revision()
        revision.approved_go_live_at = past  # scheduled before the rule, or by a script
        revision.save()
    call_command("publish_scheduled")
    assert not Page.objects.get(pk=doc.pk).live
    assert Page.objects.get(pk=fine.pk).live  # the sweep went on with the others
    assert not doc.revisions.filter(approved_go_live_at__isnull=False).exists()


def test_scripts_cannot_publish(in_alpha):
    doc = sensitive_draft()
    webmaster = make_user("conf_wm", WEBMASTER)
    with pytest.raises(ConfidentialityReviewRequired, match=REFUSED):
        doc.get_latest_revision().publish(user=webmaster, skip_permission_checks=True)
    doc = PolicyDocumentPage.objects.get(pk=doc.pk)
    doc.live = True
    with pytest.raises(ConfidentialityReviewRequired):
        doc.save()
    plain = Page.objects.get(pk=doc.pk)
    plain.live, plain.live_revision = True, doc.get_latest_revision()
    with pytest.raises(ConfidentialityReviewRequired):
        plain.save()
    assert not Page.objects.get(pk=doc.pk).live


def test_copy_kept_live_by_a_script_is_refused(in_alpha):
    doc = run_review(sensitive_draft())
    with pytest.raises(ConfidentialityReviewRequired):
        CopyPageAction(
            doc,
            update_attrs={"slug": "copy-script", "document_number": "甲政发〔2026〕99号"},
            keep_live=True,
        ).execute()
    assert not Page.objects.filter(slug="copy-script").exists()


# --- what passes --------------------------------------------------------------------------


def test_the_reviewed_item_goes_live_and_can_be_republished(in_alpha):
    doc = run_review(sensitive_draft())
    assert doc.live
    assert TaskState.objects.filter(
        revision_id=doc.live_revision_id, task__name="保密审查", status="approved"
    ).exists()
    # republishing the approved revision itself is fine
    doc.live_revision.publish()
    assert Page.objects.get(pk=doc.pk).live


def test_general_items_are_not_concerned(in_alpha):
    doc = make_document(publish=True, grade="general")
    assert Page.objects.get(pk=doc.pk).live


# --- lowering the grade --------------------------------------------------------------------


def test_lowering_the_grade_sends_it_back_to_confidentiality_review(in_alpha):
    doc = run_review(sensitive_draft())
    assert doc.live
    doc.grade = "general"
    doc.title = "降级后的版本"
    lowered = doc.save_revision()
    doc = PolicyDocumentPage.objects.get(pk=doc.pk)
    doc.grade = "general"
    assert doc.get_workflow().name == w.SENSITIVE_WORKFLOW  # back to 保密审查
    with pytest.raises(ConfidentialityReviewRequired, match=REFUSED):
        lowered.publish()
    # only a 保密审查 approval of the lowered version releases it
    doc = run_review(PolicyDocumentPage.objects.get(pk=doc.pk))
    assert doc.live and doc.grade == "general" and doc.title == "降级后的版本"
    # released: later 一般 versions follow the general route
    assert doc.get_workflow().name == w.GENERAL_WORKFLOW
    doc.title = "一般信息的再次修改"
    doc.save_revision().publish()
    assert Page.objects.get(pk=doc.pk).title == "一般信息的再次修改"


def test_created_sensitive_then_lowered_before_any_publish(in_alpha):
    doc = sensitive_draft()
    doc.grade = "general"
    revision = doc.save_revision()
    with pytest.raises(ConfidentialityReviewRequired, match=REFUSED):
        revision.publish()
    assert not Page.objects.get(pk=doc.pk).live


def test_another_site_is_unaffected(in_alpha, beta):
    sensitive_draft()
    with schema_context(beta.schema_name):
        doc = make_document(parent=a_column(), publish=True, grade="general")
        assert Page.objects.get(pk=doc.pk).live


def test_a_change_after_the_confidentiality_review_goes_back_to_review(in_alpha):
    doc = run_review(sensitive_draft(), approvals=("审核", "保密审查"))
    doc.title = "保密审查之后的修改"
    doc.save_revision()
    state = doc.current_workflow_state.current_task_state
    assert state.task.name == "领导审批"
    leader = make_user("conf_leader_late", w.LEADER)
    state.task.specific.on_action(state, leader, "approve", comment="同意")
    doc = PolicyDocumentPage.objects.get(pk=doc.pk)
    assert not doc.live
    assert doc.current_workflow_state.current_task_state.task.name == "审核"  # back in review


def test_a_superuser_approving_the_confidentiality_step_is_no_review(in_alpha):
    from django.contrib.auth import get_user_model

    doc = run_review(sensitive_draft(), approvals=("审核",))
    root = get_user_model().objects.create_superuser("conf_root", password="Root-Pass-2026!")
    state = doc.current_workflow_state.current_task_state
    assert state.task.name == "保密审查"
    state.task.specific.on_action(state, root, "approve", comment="我来批")
    doc = run_review_continue(doc, "领导审批")
    assert not doc.live


def run_review_continue(doc, step):
    doc = Page.objects.get(pk=doc.pk).specific
    state = doc.current_workflow_state.current_task_state
    assert state.task.name == step
    state.task.specific.on_action(state, make_user("conf_late_leader", w.LEADER), "approve")
    return Page.objects.get(pk=doc.pk).specific
