"""The one-stop hall in a real browser (issue 14, item 7): a visitor applies on the portal for
a parallel-approval item; the two departments' handlers each answer in their own site's
admin; the lead department completes the case with a result document; the applicant sees
each department's status and downloads the result."""

import datetime
import re

from django_tenants.utils import schema_context
from playwright.sync_api import expect

from federation.library.models import LibraryItem
from tenants import services
from tests.factories import BETA_PASSWORD, PASSWORD

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def login(page, url, username, password):
    page.goto(url)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def handle(page, site_url, site, number, action, note="", files=None):
    page.goto(site_url(site, f"/admin/casework/{number}/"))
    form = page.locator(f"form.casework-action--{action}")
    if note:
        form.locator("textarea[name=note]").fill(note)
    if files:
        form.locator("input[name=files]").set_input_files(files)
    form.locator("button[type=submit]").click()
    expect(page.locator("body")).to_contain_text(f"办件 {number}")


def test_apply_parallel_approval_and_follow_it(new_page, site_url, portal_schema):
    alpha, beta = services.get_site("alpha"), services.get_site("beta")
    portal = services.get_site(portal_schema)
    title = f"建设项目并联审批{datetime.datetime.now():%H%M%S%f}"
    with schema_context("beta"):
        from tests.sites.services.factories import make_item

        make_item(
            title=title,
            materials=("申请书", "项目说明"),
            parallel_sites=["alpha"],
            online_level=3,
        )
    assert LibraryItem.objects.filter(title=title, withdrawn=False).exists()

    # The applicant finds the item in the portal's hall and applies.
    visitor = new_page()
    visitor.goto(site_url(portal, "/wsbs/?dept=beta"))
    visitor.get_by_role("link", name=title).click()
    expect(visitor.locator("h1")).to_have_text(title)
    visitor.get_by_role("link", name="在线申报").click()
    visitor.fill("#id_name", "王小明")
    visitor.fill("#id_id_number", "150302199202023456")
    visitor.fill("#id_phone", "13800000000")
    visitor.set_input_files(
        "#id_material_0", {"name": "申请书.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    visitor.set_input_files(
        "#id_material_1", {"name": "说明.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    visitor.check("#id_consent")
    visitor.get_by_role("button", name="提交申请").click()
    expect(visitor.locator("h1")).to_have_text("申请已提交")
    number = visitor.locator(".apply-receipt__number").inner_text().strip()
    code = visitor.locator(".apply-receipt__code").inner_text().strip()
    assert re.fullmatch(r"BS\d{13}", number) and len(code) == 8

    # Each department's handler answers in its own admin; the lead completes.
    lead = new_page()
    login(lead, site_url(beta, "/admin/login/"), "webmaster", BETA_PASSWORD)
    handle(lead, site_url, beta, number, "accept", "材料齐全，予以受理。")
    partner = new_page()
    login(partner, site_url(alpha, "/admin/login/"), "webmaster", PASSWORD)
    partner.goto(site_url(alpha, "/admin/casework/"))
    expect(partner.locator("body")).to_contain_text(number)
    handle(partner, site_url, alpha, number, "accept")
    handle(partner, site_url, alpha, number, "answer", "经审查，同意。")
    lead.goto(site_url(beta, f"/admin/casework/{number}/"))
    expect(lead.locator("body")).to_contain_text("乌海市甲区人民政府")  # every part's status
    handle(
        lead,
        site_url,
        beta,
        number,
        "complete",
        "准予许可。",
        files={"name": "许可决定书.pdf", "mimeType": "application/pdf", "buffer": PDF},
    )

    # The applicant follows the case with number and code: each department, the result.
    visitor.goto(site_url(portal, "/banjian/"))
    visitor.fill("#id_number", number)
    visitor.fill("#id_code", code)
    visitor.get_by_role("button", name="查询").click()
    departments = visitor.locator("#departments")
    expect(departments).to_contain_text("乌海市乙局")
    expect(departments).to_contain_text("乌海市甲区人民政府")
    expect(visitor.locator("body")).to_contain_text("已办结")
    with visitor.expect_download() as download:
        visitor.locator("#results a").first.click()
    assert download.value.suggested_filename.endswith(".pdf")
