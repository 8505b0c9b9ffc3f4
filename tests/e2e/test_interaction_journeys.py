"""Issue 15's journeys in real browsers: a letter from submission through routing, the
department's reply, the office's review to publication; and a live interview where an
approved question and the guest's answer appear in a viewer's browser without reload."""

import datetime

from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from security.roles import CASE_HANDLER
from tenants import services
from tests.factories import make_user

PASSWORD = "Journey-Pass-2026!"


def log_in(page, url, username):
    page.goto(url("/admin/login/"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(url("/admin/"))


def test_a_letter_is_routed_answered_reviewed_and_published(new_page, site_url):
    alpha, beta = services.get_site("alpha"), services.get_site("beta")
    stamp = datetime.datetime.now().strftime("%H%M%S%f")
    office = make_user(alpha, f"office_{stamp}", CASE_HANDLER, password=PASSWORD).username
    department = make_user(beta, f"dept_{stamp}", CASE_HANDLER, password=PASSWORD).username
    title = f"幸福小区门前道路破损（{stamp[-5:]}）"  # no run of digits a redactor would take for a phone number

    citizen = new_page()
    citizen.goto(site_url(alpha, "/xinxiang/ldxx/write/"))
    citizen.select_option("select[name=category]", "投诉")
    citizen.fill("input[name=title]", title)
    citizen.fill("textarea[name=content]", "门前道路坑洼，雨天积水。我的电话13912345678。")
    citizen.fill("input[name=name]", "张三")
    citizen.fill("input[name=phone]", "13912345678")
    citizen.check("input[name=publish_allowed]")
    citizen.click(".public-form button[type=submit]")
    number = citizen.locator("#case-number").inner_text()
    code = citizen.locator("#query-code").inner_text()

    handler = new_page()
    at_alpha = lambda path: site_url(alpha, path)  # noqa: E731
    log_in(handler, at_alpha, office)
    handler.goto(at_alpha(f"/admin/letters/{number}/"))
    handler.locator("summary", has_text="转办").click()
    handler.select_option("select[name=route-to_site]", str(beta.pk))
    handler.fill("input[name=route-note]", "请核实并修复道路")
    handler.click("#form-route button[type=submit]")
    expect(handler.get_by_text(f"转办：{beta.short_name}")).to_be_visible()

    dept = new_page()
    at_beta = lambda path: site_url(beta, path)  # noqa: E731
    log_in(dept, at_beta, department)
    dept.goto(at_beta("/admin/letters/"))
    dept.get_by_role("link", name=number).click()
    dept.locator("summary", has_text="答复").first.click()
    dept.fill("textarea[name=answer-reply]", "已安排施工队本周修复路面。")
    dept.click("#form-answer button[type=submit]")

    handler.goto(at_alpha(f"/admin/letters/{number}/"))
    expect(handler.get_by_text("已安排施工队本周修复路面。").first).to_be_visible()
    handler.locator("summary", has_text="审核答复并办结").click()
    expect(handler.locator("textarea[name=review-reply]")).to_have_value(
        "已安排施工队本周修复路面。"
    )
    handler.check("input[name=review-publish]")
    handler.click("#form-review button[type=submit]")

    citizen.goto(site_url(alpha, "/xinxiang/ldxx/"))
    citizen.get_by_role("link", name=title).click()
    expect(citizen.get_by_text("已安排施工队本周修复路面。")).to_be_visible()
    expect(citizen.locator("main")).not_to_contain_text("13912345678")
    citizen.goto(site_url(alpha, "/banjian/"))
    citizen.fill("input[name=number]", number)
    citizen.fill("input[name=code]", code)
    citizen.click(".casework-form button[type=submit]")
    expect(citizen.locator("#case-status")).to_have_text("已办结")


def test_an_approved_answer_appears_in_a_viewers_browser_without_reload(new_page, site_url):
    alpha = services.get_site("alpha")
    stamp = datetime.datetime.now().strftime("%H%M%S%f")
    moderator = make_user(alpha, f"host_{stamp}", "网站管理员", password=PASSWORD).username
    with schema_context("alpha"):
        from sites.core.models import ColumnPage
        from sites.interaction.models import InterviewPage

        now = timezone.now()
        interview = InterviewPage(
            title=f"在线访谈{stamp}",
            slug=f"live-{stamp}",
            summary="直播测试",
            starts_at=now - datetime.timedelta(minutes=5),
            ends_at=now + datetime.timedelta(hours=1),
        )
        ColumnPage.objects.get(slug="hdjl").add_child(instance=interview)
        interview.save_revision().publish()
        path, page_id = interview.url, interview.pk

    viewer = new_page()
    viewer.goto(site_url(alpha, path))
    asker = new_page()
    asker.goto(site_url(alpha, f"{path}ask/"))
    asker.fill("textarea[name=content]", "新政策什么时候实施？")
    asker.click(".public-form button[type=submit]")
    expect(asker.get_by_text("提问已提交")).to_be_visible()

    host = new_page()
    at_alpha = lambda p: site_url(alpha, p)  # noqa: E731
    log_in(host, at_alpha, moderator)
    host.goto(at_alpha(f"/admin/interaction/interviews/{page_id}/"))
    host.get_by_role("button", name="采用（进入实录）").click()
    host.fill("input[name=speaker]", "王主任")
    host.fill("textarea[name=text]", "下月一日起正式实施。")
    host.click("#entry-form button[type=submit]")

    transcript = viewer.locator("#transcript")
    expect(transcript).to_contain_text("新政策什么时候实施？", timeout=5000)
    expect(transcript).to_contain_text("王主任：下月一日起正式实施。", timeout=5000)
