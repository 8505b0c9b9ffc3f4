"""A visitor searches in a real browser: on a site, then across all sites from the portal."""

import re

from playwright.sync_api import expect

from tenants import services
from tests.factories import make_article, unique

# The city's one portal, shared with the syndication tests: a second portal made here would
# become "the portal" (the oldest) for whichever of them ran first.


def test_visitor_searches_a_site_then_widens_to_all_sites(new_page, site_url):
    alpha, beta = services.get_site("alpha"), services.get_site("beta")
    marker = unique("e2e")
    make_article(
        alpha, f"甲区冬季供暖道路维修公告 {marker}", "供暖管网改造期间部分道路维修，请绕行。"
    )
    make_article(beta, f"乙局道路养护作业通知 {marker}", "道路养护作业时间安排。", column="tzgg")

    page = new_page()
    page.goto(site_url(alpha))
    page.fill("header input[name=q]", f"道路维修 {marker}")
    page.press("header input[name=q]", "Enter")
    expect(page.locator(".search-summary")).to_contain_text("找到 1 条结果")
    hit = page.locator(".search-hit").first
    expect(hit.locator("mark").first).to_be_visible()
    expect(hit).to_contain_text("乌海市甲区人民政府")
    expect(page.locator("body")).not_to_contain_text("乙局道路养护作业通知")

    page.fill("#search-q", f"道路 {marker}")
    page.press("#search-q", "Enter")
    page.click("text=检索全部网站")
    expect(page.locator(".search-summary")).to_contain_text("找到 2 条结果")
    expect(page.locator(".facet--site")).to_contain_text("乌海市乙")
    page.click(".facet--type >> text=通知公告")
    expect(page.locator(".search-summary")).to_contain_text("找到 1 条结果")
    # Results link to the item on its own site, at its public address (SITE_PUBLIC_PORT);
    # the live test server listens elsewhere, so follow the same path there.
    href = page.locator(".search-hit h3 a").get_attribute("href")
    assert re.fullmatch(r"http://beta\.localhost/tzgg/[^/]+/", href), href
    page.goto(site_url(beta, href.removeprefix("http://beta.localhost")))
    expect(page.locator("h1")).to_contain_text("乙局道路养护作业通知")


def test_the_portal_searches_every_site_and_hostile_input_is_shown_as_text(
    new_page, site_url, portal_schema
):  # noqa: F811
    city = services.get_site(portal_schema)
    marker = unique("e2p")
    make_article(
        services.get_site("beta"),
        f"全市出行安全提示 {marker}",
        "节日期间注意出行安全。",
        column="bmdt",
    )
    page = new_page()
    page.goto(site_url(city, f"/search/?q=出行安全 {marker}"))
    expect(page.locator(".search-scope")).to_contain_text("全部网站")
    expect(page.locator(".search-hit")).to_have_count(1)
    expect(page.locator(".search-hit__site")).to_have_text("乌海市乙局")
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(site_url(city, '/search/?q=<script>alert(1)</script>"&page=99999999999'))
    expect(page.locator("#search-q")).to_have_value('<script>alert(1)</script>"')
    expect(page.locator(".search-note").first).to_be_visible()
    assert dialogs == []
