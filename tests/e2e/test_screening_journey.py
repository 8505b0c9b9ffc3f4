"""Issue 18's journey: an editor's draft with a wrong leader name is flagged at the word; the
reviewer overrides one finding (with a reason) and fixes the other; the item goes live."""

import datetime

from django_tenants.utils import schema_context
from playwright.sync_api import expect

from tenants import services

PASSWORD = "Journey-Pass-2026!"


def log_in(page, url, username):
    page.goto(url("/admin/login/"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(url("/admin/"))


def test_a_wrong_leader_name_is_flagged_overridden_and_fixed(new_page, site_url):
    from security.screening.models import Kind, ScreeningOverride, ScreeningTerm
    from sites.core.models import ArticlePage, ColumnPage
    from sites.disclosure import workflows as w
    from tests.sites.disclosure.factories import make_user

    alpha = services.get_site("alpha")
    stamp = datetime.datetime.now().strftime("%H%M%S%f")
    title = f"张建国市长调研冬季供暖工作{stamp}"
    with schema_context("alpha"):
        w.ensure_review_workflows()
        editor_name = make_user(f"scr_ed_{stamp}", w.EDITOR, password=PASSWORD).username
        reviewer_name = make_user(f"scr_rv_{stamp}", w.REVIEWER, password=PASSWORD).username
        column_id = ColumnPage.objects.get(slug="gzdt").pk
        terms = [
            ScreeningTerm.objects.create(
                kind=Kind.OFFICIAL_NAME, term="张建困", suggestion="张建国", note="市长姓名"
            ),
            ScreeningTerm.objects.create(
                kind=Kind.OFFICIAL_NAME, term="甲区卫生局", suggestion="甲区卫生健康委员会"
            ),
        ]

    def url(path):
        return site_url(alpha, path)

    try:
        # --- the editor writes and submits the draft; the wrong name is flagged at the word
        editor = new_page()
        log_in(editor, url, editor_name)
        editor.goto(url(f"/admin/pages/add/core/articlepage/{column_id}/"))
        editor.fill("#id_title", title)
        editor.fill("#id_date", "2026-12-01")
        editor.keyboard.press("Escape")
        summary = "12月1日，市长张建困到甲区卫生局调研冬季供暖和医疗保障工作。"
        editor.fill("#id_summary", summary)
        editor.click("footer .w-dropdown__toggle")
        editor.click("button[name=action-submit]")
        expect(editor.locator(".messages")).to_contain_text("错敏词检查：发现 2 处，其中 2 处严重")
        with schema_context("alpha"):
            page_id = ArticlePage.objects.get(title=title).pk
        editor.goto(url(f"/admin/pages/{page_id}/edit/"))
        panel = editor.locator("#screening-panel")
        expect(panel).to_contain_text("2 处严重且未放行")
        wrong = panel.locator('.screening-finding[data-text="张建困"]')
        expect(wrong.locator("mark")).to_have_text("张建困")
        expect(wrong).to_contain_text("建议改为：张建国")
        assert wrong.locator("form.screening-override").count() == 0  # editors cannot override
        wrong.locator(".screening-locate").click()
        selected = editor.evaluate(
            "() => { const e = document.activeElement;"
            " return [e.id, e.value.substring(e.selectionStart, e.selectionEnd)]; }"
        )
        assert selected == ["id_summary", "张建困"]

        # --- the reviewer overrides one finding with a reason, fixes the other, approves
        reviewer = new_page()
        log_in(reviewer, url, reviewer_name)
        reviewer.goto(url(f"/admin/pages/{page_id}/edit/"))
        old_name = reviewer.locator('#screening-panel .screening-finding[data-text="甲区卫生局"]')
        old_name.locator("input[name=reason]").fill("引用的是当年文件原文中的机构名称")
        old_name.get_by_role("button", name="放行此条").click()
        expect(reviewer.locator(".messages")).to_contain_text("已放行“甲区卫生局”")
        expect(reviewer.locator("#screening-panel")).to_contain_text("1 处严重且未放行")
        reviewer.fill("#id_summary", summary.replace("张建困", "张建国"))
        reviewer.click("footer .w-dropdown__toggle")
        reviewer.get_by_role("button", name="带评论批准").click()
        dialog = reviewer.locator("[role=dialog]:has(textarea[name=comment])")
        dialog.locator("textarea[name=comment]").fill("已改正市长姓名")
        dialog.get_by_role("button", name="带评论批准").click()
        expect(reviewer.locator(".messages")).to_contain_text("该信息已发布", timeout=20_000)

        with schema_context("alpha"):
            page = ArticlePage.objects.get(pk=page_id)
            assert page.live and "张建国" in page.summary and "张建困" not in page.summary
            assert ScreeningOverride.objects.get(page_id=page_id).text == "甲区卫生局"
        visitor = new_page()
        visitor.goto(url(page.url_path.replace("/home", "", 1)))
        expect(visitor.locator("h1")).to_have_text(title)
    finally:
        with schema_context("alpha"):
            ScreeningTerm.objects.filter(pk__in=[t.pk for t in terms]).delete()
