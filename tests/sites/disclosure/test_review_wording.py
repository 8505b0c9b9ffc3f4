"""Issue 13 item 8: approvers are told what they approved and what happens next, and the last
approver lands on a page they may open (not 403) once the item is live."""

from django.urls import reverse

from sites.disclosure.models import PolicyDocumentPage
from tests.clients import site_client
from tests.sites.disclosure.factories import make_document


def act(client, doc, action="approve", comment="同意"):
    doc.refresh_from_db()
    state = doc.current_workflow_state.current_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=(doc.pk, action, state.pk))
    return client.post(url, {"comment": comment}, follow=True)


def texts(response):
    return [str(m) for m in response.context["messages"]]


def test_each_approver_is_told_what_follows_and_the_last_lands_on_the_dashboard(alpha, staff):
    doc = make_document(publish=False, grade="sensitive", title="关于调整城区供热价格的通知")
    doc.save_revision(user=staff["editor"])
    doc.get_workflow().start(doc, staff["editor"])

    reviewer = act(site_client(alpha, staff["reviewer"]), doc, comment="内容准确")
    assert reviewer.status_code == 200
    assert "你已通过「关于调整城区供热价格的通知」的审核。下一步：保密审查，由保密审查员办理" in (
        "".join(texts(reviewer))
    )

    secrecy = act(site_client(alpha, staff["secrecy"]), doc, comment="不涉密")
    assert secrecy.status_code == 200
    assert "下一步：领导审批" in "".join(texts(secrecy))

    leader = act(site_client(alpha, staff["leader"]), doc, comment="同意发布")
    assert leader.status_code == 200, "the final approver must not meet 403"
    assert leader.redirect_chain[-1][0] == reverse("wagtailadmin_home")
    assert "对不起" not in leader.content.decode()
    assert "审核流程已完成，该信息已发布" in "".join(texts(leader))
    assert PolicyDocumentPage.objects.get(pk=doc.pk).live
    # …and the dashboard keeps what each approved, and where it stands now
    dashboard = leader.content.decode()
    assert "我最近审核的" in dashboard and "领导审批已通过 · 现在：已发布" in dashboard
    reviewer_dashboard = site_client(alpha, staff["reviewer"]).get("/admin/").content.decode()
    assert "审核已通过 · 现在：已发布" in reviewer_dashboard


def test_a_reviewer_who_requests_changes_is_told_it_went_back(alpha, staff):
    doc = make_document(publish=False, grade="general", title="退回的通知")
    doc.save_revision(user=staff["editor"])
    doc.get_workflow().start(doc, staff["editor"])
    response = act(site_client(alpha, staff["reviewer"]), doc, "reject", "请补充附件")
    assert response.status_code == 200
    assert "你已退回「退回的通知」（审核）" in "".join(texts(response))
