"""Syndication in a real browser: a district offers, the portal's curator accepts, a visitor
reads the copy with its provenance; a broadcast posted on the portal shows on a district."""

import datetime
import re

from django.db import connection
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from federation.syndication.models import Broadcast
from security.roles import MUNICIPAL_CURATOR
from tenants import services
from tests.factories import PASSWORD, PORTAL_PASSWORD, enrolled_authenticator, totp_code


def login(page, url, username, password):
    page.goto(url)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_offer_accept_and_read_on_the_portal_with_a_broadcast(new_page, site_url, portal_schema):  # noqa: F811
    alpha, portal = services.get_site("alpha"), services.get_site(portal_schema)
    stamp = f"{datetime.datetime.now():%H%M%S%f}"
    title = f"甲区开展冬季安全生产大检查 {stamp}"

    # A district editor publishes an article…
    editor = new_page()
    login(editor, site_url(alpha, "/admin/login/"), "webmaster", PASSWORD)
    with schema_context("alpha"):
        from sites.core.models import ColumnPage

        column_id = ColumnPage.objects.get(slug="gzdt").pk
    connection.set_schema_to_public()
    editor.goto(site_url(alpha, f"/admin/pages/add/core/articlepage/{column_id}/"))
    editor.fill("#id_title", title)
    editor.fill("#id_date", datetime.date.today().isoformat())
    editor.keyboard.press("Escape")
    editor.locator("#id_title").click()
    editor.fill("#id_summary", "检查覆盖全区重点企业。")
    editor.click("footer .w-dropdown__toggle")
    editor.click("button[name=action-publish]")
    expect(editor.locator(".messages")).to_contain_text(title[:6])

    # …and offers it to the portal from the page's actions.
    row = editor.locator("tr", has_text=title)
    row.hover()
    row.locator(".w-dropdown__toggle").first.click()
    editor.get_by_role("link", name="报送门户").click()
    expect(editor.locator("main")).to_contain_text(portal.legal_name)
    editor.get_by_role("button", name="确认报送").click()
    expect(editor.locator(".syndication-offers")).to_contain_text(title)
    expect(editor.locator(".syndication-offers")).to_contain_text("待审核")

    # The portal's curator accepts it into 要闻动态 from the inbox.
    curator = new_page()
    login(curator, site_url(portal, "/admin/login/"), "webmaster", PORTAL_PASSWORD)
    curator.goto(site_url(portal, "/admin/syndication/inbox/"))
    offer_row = curator.locator("tr.syndication-offer", has_text=title)
    expect(offer_row).to_contain_text(alpha.legal_name)
    expect(offer_row).to_contain_text("检查覆盖全区重点企业")
    offer_row.locator("select[name=column]").select_option("yaowen")
    offer_row.get_by_role("button", name="采用").click()
    expect(curator.locator(".messages")).to_contain_text("已采用")

    # The editor sees the decision.
    editor.reload()
    expect(editor.locator(".syndication-offers tr", has_text=title)).to_contain_text("已采用")

    # A visitor reads it on the portal, with its provenance and a link to the original.
    visitor = new_page()
    visitor.goto(site_url(portal, "/yaowen/"))
    visitor.get_by_role("link", name=title).click()
    expect(visitor.locator("h1")).to_have_text(title)
    expect(visitor.locator(".article__provenance")).to_have_text(f"来源：{alpha.legal_name}")
    original = visitor.locator(".article__original a")
    expect(original).to_have_attribute("href", re.compile(r"^http://alpha\.localhost/gzdt/"))
    canonical = visitor.locator("link[rel=canonical]").get_attribute("href")
    assert canonical.startswith("http://alpha.localhost/gzdt/")
    expect(original).to_have_attribute("href", canonical)

    # The municipal office posts an emergency broadcast on the portal, from a session that
    # passed two-factor (a curator of its own with an authenticator), after confirming…
    officer_name = f"e2e_officer_{stamp}"
    with schema_context(portal.schema_name):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group

        officer = get_user_model().objects.create_user(officer_name, password=PORTAL_PASSWORD)
        officer.groups.add(Group.objects.get(name=MUNICIPAL_CURATOR))
    connection.set_schema_to_public()
    secret = enrolled_authenticator(portal, officer)
    curator = new_page()
    login(curator, site_url(portal, "/admin/login/"), officer_name, PORTAL_PASSWORD)
    curator.fill("input[name=code]", totp_code(secret))
    curator.click("form.security-form button[type=submit]")
    banner_title = f"暴雪橙色预警 {stamp}"
    curator.goto(site_url(portal, "/admin/syndication/broadcasts/"))
    curator.select_option("#id_level", "orange")
    curator.fill("#id_title", banner_title)
    curator.fill("#id_text", "明日停课停工，请减少外出。")
    curator.fill("#id_link", site_url(portal, "/tzgg/"))
    curator.get_by_role("button", name="下一步：确认发布").click()
    curator.get_by_role("button", name="确认发布广播").click()
    expect(curator.locator(".messages")).to_contain_text("已发布")
    try:
        # …and a visitor of the district's site sees it as an alert, linking to the notice.
        visitor.goto(site_url(alpha, "/"))
        banner = visitor.get_by_role("alert")
        expect(banner).to_contain_text(banner_title)
        expect(banner).to_contain_text("橙色预警")  # the level in words, not by colour alone
        expect(banner.get_by_role("link", name="查看全文")).to_have_attribute(
            "href", site_url(portal, "/tzgg/")
        )
    finally:
        curator.goto(site_url(portal, "/admin/syndication/broadcasts/"))
        curator.locator("tr", has_text=banner_title).get_by_role("button", name="撤销").click()
        expect(curator.locator(".messages")).to_contain_text("已撤销")
    assert Broadcast.objects.get(title=banner_title).withdrawn_by == officer_name
