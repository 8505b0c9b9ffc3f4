"""A handler takes a case through in a real browser: accept, start, complete with a result
document; the applicant then reads the outcome with number + query code."""

import datetime

from django.db import connection
from playwright.sync_api import expect

from tenants import services
from tests.factories import PASSWORD
from tests.federation.casework.factories import open_test_case, pdf


def test_a_handler_accepts_and_completes_a_task(new_page, site_url, tmp_path):
    alpha = services.get_site("alpha")
    title = f"浏览器办件 {datetime.datetime.now():%H%M%S%f}"
    case, code = open_test_case(alpha, title=title)
    connection.set_schema_to_public()

    handler = new_page()
    handler.goto(site_url(alpha, "/admin/login/"))
    handler.fill("input[name=username]", "webmaster")
    handler.fill("input[name=password]", PASSWORD)
    handler.click("button[type=submit]")
    handler.goto(site_url(alpha, "/admin/casework/"))
    handler.get_by_role("link", name=case.number).click()
    expect(handler.locator("#own-task")).to_contain_text("待受理")

    handler.locator(".casework-action--accept textarea").fill("材料齐全，予以受理")
    handler.locator(".casework-action--accept button").click()
    expect(handler.locator("#own-task")).to_contain_text("已受理")
    handler.locator(".casework-action--start button").click()
    expect(handler.locator("#own-task")).to_contain_text("办理中")

    result = tmp_path / "准予许可决定书.pdf"
    result.write_bytes(pdf().read())
    complete = handler.locator(".casework-action--complete")
    complete.locator("textarea").fill("准予许可")
    complete.locator("input[type=file]").set_input_files(str(result))
    complete.locator("button").click()
    expect(handler.locator("#case-status")).to_contain_text("已办结")
    expect(handler.locator("#casework-steps")).to_contain_text("准予许可决定书")

    applicant = new_page()
    applicant.goto(site_url(alpha, "/banjian/"))
    applicant.fill("#id_number", case.number)
    applicant.fill("#id_code", code.lower())
    applicant.get_by_role("button", name="查询").click()
    expect(applicant.locator("#case-status")).to_contain_text("已办结")
    with applicant.expect_download() as download:
        applicant.locator("#results a").first.click()
    assert download.value.suggested_filename == "准予许可决定书.pdf"
