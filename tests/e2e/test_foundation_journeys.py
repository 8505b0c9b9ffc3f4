"""Visitor and webmaster journeys of the foundation, in a real browser."""

import datetime

from django_tenants.utils import schema_context
from playwright.sync_api import expect

from tenants import services
from tests.factories import PASSWORD


def test_visitor_sees_each_sites_own_legal_name(new_page, site_url):
    alpha, beta = services.get_site("alpha"), services.get_site("beta")
    page = new_page()
    page.goto(site_url(alpha))
    expect(page.locator("h1")).to_have_text(alpha.legal_name)
    expect(page.locator("footer")).to_contain_text(alpha.icp_number)
    page.goto(site_url(beta))
    expect(page.locator("h1")).to_have_text(beta.legal_name)
    expect(page.locator("body")).not_to_contain_text(alpha.legal_name)


def test_webmaster_publishes_an_article_and_the_login_is_worthless_elsewhere(new_page, site_url):
    alpha, beta = services.get_site("alpha"), services.get_site("beta")
    title = f"甲区召开冬季供暖工作部署会 {datetime.datetime.now():%H%M%S%f}"
    page = new_page()
    page.goto(site_url(alpha, "/admin/login/"))
    page.fill("input[name=username]", "webmaster")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(site_url(alpha, "/admin/"))

    with schema_context("alpha"):
        from sites.core.models import ColumnPage

        column_id = ColumnPage.objects.get(slug="gzdt").pk
    page.goto(site_url(alpha, f"/admin/pages/add/core/articlepage/{column_id}/"))
    page.fill("#id_title", title)
    page.fill("#id_date", datetime.date.today().isoformat())
    page.keyboard.press("Escape")  # close the date picker, which would cover the footer
    page.locator("#id_title").click()
    page.fill("#id_source", "甲区人民政府办公室")
    page.fill("#id_summary", "会议部署今冬供暖保障工作。")
    # Publish sits in the save button's drop-down menu.
    page.click("footer .w-dropdown__toggle")
    page.click("button[name=action-publish]")
    expect(page.locator(".messages")).to_contain_text(title[:6])

    visitor = new_page()
    visitor.goto(site_url(alpha, "/gzdt/"))
    visitor.click(f"text={title}")
    expect(visitor.locator("h1")).to_have_text(title)
    expect(visitor.locator(".article__meta")).to_contain_text("甲区人民政府办公室")

    # The same browser (same person, same cookies) on another site: not logged in there…
    page.goto(site_url(beta, "/admin/"))
    expect(page).to_have_url(site_url(beta, "/admin/login/?next=/admin/"))
    # …and the same credentials are refused: the account does not exist on beta.
    page.fill("input[name=username]", "webmaster")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.get_by_text("密码不匹配")).to_be_visible()
    assert "/admin/login/" in page.url
    # and beta never shows alpha's article
    visitor.goto(site_url(beta, "/bmdt/"))
    expect(visitor.locator("body")).not_to_contain_text(title)
