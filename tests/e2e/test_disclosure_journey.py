"""Issue 3's journey in a real browser: an editor submits a sensitive document; a reviewer,
a confidentiality reviewer and a leader approve it, each in their own browser session; then
it is public with its metadata table. The editor never sees a publish button."""

import datetime

from django_tenants.utils import schema_context
from playwright.sync_api import expect

from tenants import services

PASSWORD = "Journey-Pass-2026!"


def make_staff(stamp):
    from sites.disclosure import workflows as w
    from tests.sites.disclosure.factories import make_user

    with schema_context("alpha"):
        w.ensure_review_workflows()
        return {
            role: make_user(f"{role}_{stamp}", group, password=PASSWORD).username
            for role, group in [
                ("editor", w.EDITOR),
                ("reviewer", w.REVIEWER),
                ("secrecy", w.CONFIDENTIALITY_REVIEWER),
                ("leader", w.LEADER),
            ]
        }


def log_in(page, url, username):
    page.goto(url("/admin/login/"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(url("/admin/"))


def approve_with_comment(page, url, page_id, comment):
    page.goto(url(f"/admin/pages/{page_id}/edit/"))
    page.click("footer .w-dropdown__toggle")
    page.get_by_role("button", name="带评论批准").click()
    dialog = page.locator("[role=dialog]:has(textarea[name=comment])")
    expect(dialog).to_be_visible()
    dialog.locator("textarea[name=comment]").fill(comment)
    dialog.get_by_role("button", name="带评论批准").click()
    # The last approval publishes: the request also runs the in-process tasks after commit
    # (library, search, syndication), which took over expect's 5 s once in a loaded CI run.
    expect(page.locator(".messages")).to_be_visible(timeout=20_000)


def test_sensitive_document_goes_through_three_approvals(new_page, site_url):
    alpha = services.get_site("alpha")
    stamp = datetime.datetime.now().strftime("%H%M%S%f")
    staff = make_staff(stamp)
    title = f"关于调整城区集中供热价格的通知{stamp}"
    number = f"甲政发〔2026〕{stamp[-6:]}号"
    with schema_context("alpha"):
        from sites.core.models import ColumnPage
        from sites.disclosure.models import Department, PolicyDocumentPage, TopicCategory

        column_id = ColumnPage.objects.get(slug="zcwj").pk
        category = TopicCategory.objects.get(name="城乡建设、环境保护")
        department = Department.objects.order_by("pk").first()

    def url(path):
        return site_url(alpha, path)

    # --- the editor writes and submits it -------------------------------------------
    editor = new_page()
    log_in(editor, url, staff["editor"])
    editor.goto(url(f"/admin/pages/add/disclosure/policydocumentpage/{column_id}/"))
    editor.fill("#id_title", title)
    editor.fill("#id_document_number", number)
    editor.fill("#id_issuing_body", "甲区人民政府")
    editor.select_option("#id_topic_category", str(category.pk))
    editor.select_option("#id_department", str(department.pk))
    editor.select_option("#id_grade", "sensitive")
    for field, value in (("#id_date_written", "2026-01-05"), ("#id_date", "2026-01-08")):
        editor.fill(field, value)
        editor.keyboard.press("Escape")
    editor.locator("#id_title").click()
    assert editor.locator("button[name=action-publish]").count() == 0
    editor.click("footer .w-dropdown__toggle")
    # the button says the grade decides the steps (not the column's general workflow)
    expect(editor.locator("button[name=action-submit]")).to_contain_text("按信息分级")
    editor.click("button[name=action-submit]")
    expect(editor.locator(".messages")).to_contain_text(title[:8])

    with schema_context("alpha"):
        document = PolicyDocumentPage.objects.get(title=title)
        assert not document.live and document.index_number.startswith(alpha.site_code)
        state = document.current_workflow_state
        assert state.current_task_state.task.name == "审核"
    editor.goto(url(f"/admin/pages/{document.pk}/edit/"))
    expect(editor.locator("footer")).to_be_visible()
    assert editor.locator("button[name=action-publish]").count() == 0

    # the public cannot see it yet
    visitor = new_page()
    assert visitor.goto(url(document.url_path.replace("/home", "", 1))).status == 404

    # --- three approvals, three people, three browser sessions ---------------------
    for role, comment, next_task in [
        ("reviewer", "内容准确，同意", "保密审查"),
        ("secrecy", "经保密审查，不涉密", "领导审批"),
        ("leader", "同意发布", None),
    ]:
        person = new_page()
        log_in(person, url, staff[role])
        approve_with_comment(person, url, document.pk, comment)
        # told what they approved and what follows; the last lands on the dashboard (issue 13)
        told = person.locator(".messages")
        step = {"reviewer": "审核", "secrecy": "保密审查", "leader": "领导审批"}[role]
        expect(told).to_contain_text(f"你已通过「{title}」的{step}")
        if next_task:
            expect(told).to_contain_text(f"下一步：{next_task}")
        else:
            expect(person).to_have_url(url("/admin/"))
            expect(told).to_contain_text("该信息已发布")
            assert "对不起" not in person.content()
        with schema_context("alpha"):
            document.refresh_from_db()
            if next_task:
                assert not document.live
                assert document.current_workflow_state.current_task_state.task.name == next_task
        # the editor, looking at the item between approvals, still has no way to publish it
        editor.goto(url(f"/admin/pages/{document.pk}/edit/"))
        expect(editor.locator("main")).to_be_visible()
        assert editor.locator("button[name=action-publish]").count() == 0

    with schema_context("alpha"):
        document.refresh_from_db()
        assert document.live

    # --- public, with its metadata table --------------------------------------------
    visitor.goto(url(document.url_path.replace("/home", "", 1)))
    expect(visitor.locator("h1")).to_have_text(title)
    table = visitor.locator("table.disclosure-meta")
    for text in (document.index_number, number, "城乡建设、环境保护", "2026年1月5日", "主动公开"):
        expect(table).to_contain_text(text)
    # …and in the catalogue
    visitor.goto(url("/zwgk/catalogue/?q=" + stamp))
    expect(visitor.locator("table.catalogue")).to_contain_text(document.index_number)

    # --- the history shows each approval with who and the comment -------------------
    editor.goto(url(f"/admin/pages/{document.pk}/history/"))
    for text in (staff["reviewer"], "经保密审查，不涉密", staff["leader"], "同意发布"):
        expect(editor.locator("main")).to_contain_text(text)
