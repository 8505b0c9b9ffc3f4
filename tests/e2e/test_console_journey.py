"""An operator in the console, in a real browser: opens a site with its 网站标识码 and a kind he
chose, corrects its registry entry, adds a domain and makes it primary, and suspends it with a
reason and a confirmation (issue 13, item 10)."""

import datetime

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tenants import services


def test_operator_opens_edits_and_suspends_a_site(new_page, site_url):
    stamp = f"{datetime.datetime.now():%H%M%S%f}"
    username = f"e2e-op-{stamp}"
    get_user_model().objects.create_user(username, password="Operator-E2E-2026", is_staff=True)
    page = new_page()
    page.goto(site_url("console.localhost", "/login/"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "Operator-E2E-2026")
    page.click("button[type=submit]")
    expect(page.get_by_text("平台上的网站")).to_be_visible()

    page.goto(site_url("console.localhost", "/sites/new/"))
    page.select_option("select[name=kind]", "department")
    for name, value in {
        "legal_name": "乌海市测试局",
        "short_name": "测试局",
        "domain": f"e2e{stamp}.localhost",
        "schema_name": f"e2e_{stamp}",
        "site_code": f"15039{stamp[-5:]}",
        "operator_unit": "测试局办公室",
        "responsible_leader": "测试局长",
        "responsible_leader_phone": "0473-1",
        "operator_contact": "测试联系人",
        "operator_contact_phone": "0473-2",
    }.items():
        page.fill(f"input[name={name}]", value)
    page.get_by_role("button", name="开设", exact=True).click()
    expect(page.get_by_text("已开设").first).to_be_visible()

    page.goto(site_url("console.localhost", f"/sites/e2e_{stamp}/"))
    page.fill("input[name=short_name]", "市测试局")
    page.fill("input[name=police_record_number]", "蒙公网安备 15030202000777号")
    page.get_by_role("button", name="保存登记信息").click()
    expect(page.get_by_text("登记信息已保存")).to_be_visible()

    page.fill("#new-domain", f"e2e{stamp}b.localhost")
    page.click("button[value=add]")
    page.click("button[value=primary]")
    expect(page.get_by_text("已设为主域名")).to_be_visible()

    page.select_option("#id_status", "suspended")
    page.fill("#id_reason", "演练")
    page.get_by_role("button", name="改变状态").click()
    expect(page.get_by_text("请确认").first).to_be_visible()
    # What was chosen and typed is still there.
    expect(page.locator("#id_status")).to_have_value("suspended")
    expect(page.locator("#id_reason")).to_have_value("演练")
    page.check("input[name=confirm]")
    page.get_by_role("button", name="改变状态").click()
    # the entry shows the status with its reason, and the change history records both
    expect(page.locator("dd", has_text="原因：演练")).to_be_visible()
    expect(page.locator("#history + table td", has_text="状态：运行 → 暂停")).to_contain_text(
        "原因：演练"
    )

    site = services.get_site(f"e2e_{stamp}")
    assert site.short_name == "市测试局" and site.status == "suspended"
    assert site.primary_domain == f"e2e{stamp}b.localhost"
