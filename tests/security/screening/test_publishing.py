"""Serious findings block publishing on every path until a reviewer overrides them (with a
reason, in the audit trail); warnings never block; another site is not concerned."""

import datetime

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from wagtail.actions.copy_page import CopyPageAction
from wagtail.models import Page

from security.audit.models import AuditEvent
from security.roles import EDITOR, REVIEWER
from security.screening.guard import ContentScreeningBlocked
from security.screening.models import ScreeningOverride
from sites.core.models import ArticlePage, ColumnPage
from tenants.scheduling import publish_scheduled_for_site
from tests.clients import site_client
from tests.factories import make_article, make_user

from .factories import WRONG_NAME, article_form, leader_dictionary

pytestmark = pytest.mark.django_db
REFUSED = "严重错敏词未处理"


@pytest.fixture
def site(in_alpha):
    leader_dictionary()
    return in_alpha


@pytest.fixture
def webmaster(site):
    return site_client(site, make_user(site, "scr_wm", "网站管理员"))


def draft(site, text=f"{WRONG_NAME}市长出席会议", title="会议报道"):
    page = make_article(site, title, summary=text, publish=False, live=False)
    return ArticlePage.objects.get(pk=page.pk)


def live_with_error(site):
    """An item published before the dictionary knew the wrong name."""
    page = make_article(site, "旧报道", publish=False, live=False)
    page.summary = f"{WRONG_NAME}出席"
    page.save_revision()
    # published as the dictionary was before: the guard only sees the row
    Page.objects.filter(pk=page.pk).update(live=True)
    ArticlePage.objects.filter(pk=page.pk).update(summary=f"{WRONG_NAME}出席")
    return ArticlePage.objects.get(pk=page.pk)


def messages_of(response):
    return response.content.decode()


def test_the_publish_button_refuses_and_keeps_the_draft(site, webmaster):
    page = draft(site)
    response = webmaster.post(
        f"/admin/pages/{page.pk}/edit/",
        article_form(page, summary=f"{WRONG_NAME}讲话"),
        follow=True,
    )
    assert REFUSED in messages_of(response)
    page = ArticlePage.objects.get(pk=page.pk)
    assert not page.live
    assert page.get_latest_revision_as_object().summary == f"{WRONG_NAME}讲话"


def test_a_warning_does_not_block(site, webmaster):
    page = draft(site, text="既使下雨也开会")
    response = webmaster.post(f"/admin/pages/{page.pk}/edit/", article_form(page), follow=True)
    assert REFUSED not in messages_of(response)
    assert ArticlePage.objects.get(pk=page.pk).live


def test_bulk_publish(site, webmaster):
    bad, other = draft(site), draft(site, title="另一篇")
    response = webmaster.post(
        f"/admin/bulk/wagtailcore/page/publish/?id={bad.pk}&id={other.pk}&next=/admin/",
        {},
        follow=True,
    )
    assert REFUSED in messages_of(response)
    assert not Page.objects.get(pk=bad.pk).live and not Page.objects.get(pk=other.pk).live


def test_scheduled_go_live_is_dropped_and_the_sweep_goes_on(site):
    bad = draft(site)
    fine = draft(site, text="正常内容", title="正常")
    past = timezone.now() - datetime.timedelta(minutes=5)
    for page in (bad, fine):
        revision = page.get_latest_revision()
        revision.approved_go_live_at = past
        revision.save()
    publish_scheduled_for_site(site.schema_name)
    assert not Page.objects.get(pk=bad.pk).live
    assert Page.objects.get(pk=fine.pk).live
    assert AuditEvent.objects.filter(
        schema_name=site.schema_name, event_type="screening.schedule_dropped", object_id=bad.pk
    ).exists()


def test_copy_with_publish(site, webmaster):
    page = live_with_error(site)
    response = webmaster.post(
        f"/admin/pages/{page.pk}/copy/",
        {
            "new_title": "副本",
            "new_slug": "fuben-scr",
            "new_parent_page": page.get_parent().pk,
            "publish_copies": "on",
        },
        follow=True,
    )
    assert "严重错敏词" in messages_of(response)
    assert not Page.objects.filter(slug="fuben-scr").exists()
    with pytest.raises(ContentScreeningBlocked):
        CopyPageAction(page, update_attrs={"slug": "copy-scr"}, keep_live=True).execute()
    assert not Page.objects.filter(slug="copy-scr").exists()


def test_move_of_a_live_item(site, webmaster):
    page = live_with_error(site)
    target = ColumnPage.objects.exclude(pk=page.get_parent().pk).first()
    response = webmaster.post(f"/admin/pages/{page.pk}/move/{target.pk}/confirm/", {}, follow=True)
    assert "不能移动" in messages_of(response)
    assert Page.objects.get(pk=page.pk).get_parent().pk != target.pk
    with pytest.raises(ContentScreeningBlocked):
        page.move(target, pos="last-child")


def test_revert_to_a_version_with_the_error(site, webmaster):
    page = draft(site, text="正确内容")
    page.get_latest_revision().publish()
    page = ArticlePage.objects.get(pk=page.pk)
    page.summary = f"{WRONG_NAME}出席"
    bad = page.save_revision()
    page.summary = "另一个草稿"
    page.save_revision()
    response = webmaster.post(
        f"/admin/pages/{page.pk}/revisions/{bad.pk}/revert/",
        article_form(page, summary=f"{WRONG_NAME}出席"),
        follow=True,
    )
    assert REFUSED in messages_of(response)
    assert ArticlePage.objects.get(pk=page.pk).summary == "正确内容"


def test_scripts_cannot_publish(site):
    page = draft(site)
    with pytest.raises(ContentScreeningBlocked, match=REFUSED):
        page.get_latest_revision().publish()
    plain = Page.objects.get(pk=page.pk)
    plain.live, plain.live_revision = True, page.get_latest_revision()
    with pytest.raises(ContentScreeningBlocked):
        plain.save()
    assert not Page.objects.get(pk=page.pk).live


def test_the_override_is_a_reviewers_with_a_reason_and_audited(site):
    page = draft(site)
    editor = site_client(site, make_user(site, "scr_editor", EDITOR))
    reviewer_user = make_user(site, "scr_reviewer", REVIEWER)
    reviewer = site_client(site, reviewer_user)
    panel = reviewer.get(f"/admin/screening/pages/{page.pk}/?fragment=1").content.decode()
    assert f"<mark>{WRONG_NAME}</mark>" in panel and "张建国" in panel
    fingerprint = panel.split('name="fingerprint" value="')[1].split('"')[0]
    # the editor sees the panel but cannot override
    assert (
        'name="fingerprint"'
        not in editor.get(f"/admin/screening/pages/{page.pk}/?fragment=1").content.decode()
    )
    response = editor.post(
        f"/admin/screening/pages/{page.pk}/override/",
        {"fingerprint": fingerprint, "reason": "引用原文不改"},
    )
    assert response.status_code in (302, 403)  # Wagtail's admin turns 403 into "no access"
    assert not ScreeningOverride.objects.filter(page_id=page.pk).exists()
    # a reason is required
    reviewer.post(
        f"/admin/screening/pages/{page.pk}/override/", {"fingerprint": fingerprint, "reason": "好"}
    )
    assert not ScreeningOverride.objects.filter(page_id=page.pk).exists()
    reviewer.post(
        f"/admin/screening/pages/{page.pk}/override/",
        {"fingerprint": fingerprint, "reason": "引用的是原文件标题，不作修改"},
    )
    override = ScreeningOverride.objects.get(page_id=page.pk)
    assert override.user == reviewer_user and override.text == WRONG_NAME
    event = AuditEvent.objects.get(schema_name=site.schema_name, event_type="screening.override")
    assert event.actor == "scr_reviewer" and "引用的是原文件标题" in event.message
    # now it goes live, and the panel says who let it through
    page.get_latest_revision().publish()
    assert Page.objects.get(pk=page.pk).live
    assert (
        "引用的是原文件标题" in reviewer.get(f"/admin/screening/pages/{page.pk}/").content.decode()
    )


def test_the_last_approval_of_a_review_is_refused_until_overridden_or_fixed(site):
    page = draft(site)
    workflow = page.get_workflow()
    assert workflow is not None  # provisioning gives every site its review workflow
    editor = make_user(site, "scr_wf_editor", EDITOR)
    workflow.start(page, editor)
    with pytest.raises(ContentScreeningBlocked):
        for _ in range(5):
            page = ArticlePage.objects.get(pk=page.pk)
            state = page.current_workflow_state.current_task_state
            approver = make_user(site, f"scr_appr_{state.pk}", None, is_superuser=True)
            state.task.specific.on_action(state, approver, "approve")
    assert not Page.objects.get(pk=page.pk).live


def test_another_sites_dictionary_does_not_apply(site, beta):
    with schema_context(beta.schema_name):
        column = ColumnPage.objects.exclude(slug="").first().slug
        page = make_article(beta, "乙站报道", summary=f"{WRONG_NAME}出席", column=column)
        assert Page.objects.get(pk=page.pk).live


def test_approving_in_the_editor_is_refused_and_keeps_what_the_reviewer_typed(site):
    page = draft(site)
    page.get_workflow().start(page, make_user(site, "scr_wf2_editor", EDITOR))
    reviewer = site_client(site, make_user(site, "scr_wf2_reviewer", REVIEWER))
    form = article_form(
        page,
        action="action-workflow-action",
        summary=f"改过的摘要，仍有{WRONG_NAME}",
        **{"workflow-action-name": "approve"},
    )
    response = reviewer.post(f"/admin/pages/{page.pk}/edit/", form, follow=True)
    assert REFUSED in messages_of(response)
    page = ArticlePage.objects.get(pk=page.pk)
    assert not page.live
    assert page.current_workflow_state.current_task_state.status == "in_progress"
    assert page.get_latest_revision_as_object().summary == f"改过的摘要，仍有{WRONG_NAME}"
