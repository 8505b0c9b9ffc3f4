"""The municipal office in a real browser: the ranking of every site on the portal's admin,
a drill-down into one site's findings with the place to fix each."""

import datetime

from django.db import connection
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from federation.monitoring import scorecards
from federation.monitoring.models import Scorecard
from tenants import services
from tests.factories import PORTAL_PASSWORD


def test_the_office_ranks_the_sites_and_drills_into_one(new_page, site_url, portal_schema):
    alpha, portal = services.get_site("alpha"), services.get_site(portal_schema)
    # An empty column of its own: alpha's provisioned columns may hold what earlier browser
    # tests in this process published (they commit), so "as provisioned" is not a given.
    with schema_context("alpha"):
        from sites.core.models import ColumnPage, HomePage

        empty = ColumnPage(
            title="空白测试栏目",
            slug=f"empty-{datetime.datetime.now():%H%M%S%f}",
            column_type="general",
        )
        HomePage.objects.first().add_child(instance=empty)
        empty.save_revision().publish()
    made = [scorecards.compute_scorecard(alpha).pk, scorecards.compute_scorecard(portal).pk]
    connection.set_schema_to_public()
    try:
        office = new_page()
        office.goto(site_url(portal, "/admin/login/"))
        office.fill("input[name=username]", "webmaster")
        office.fill("input[name=password]", PORTAL_PASSWORD)
        office.click("button[type=submit]")
        office.get_by_role("button", name="网站监测").click()
        office.get_by_role("link", name="各网站排名").click()
        ranking = office.locator(".monitoring-ranking")
        expect(ranking.locator("tr.ranked-site[data-schema=alpha]")).to_contain_text(
            "乌海市甲区人民政府"
        )
        expect(ranking.locator("tr.ranked-site[data-schema=alpha] svg.score-trend")).to_be_visible()
        ranking.get_by_role("link", name="乌海市甲区人民政府").click()
        expect(office.get_by_text("乌海市甲区人民政府：评估详情")).to_be_visible()
        findings = office.locator(".monitoring-findings")
        expect(findings).to_contain_text("栏目「空白测试栏目」没有任何内容")
        fix = findings.get_by_role("link", name="去处理").first
        # the place to fix it is in alpha's own admin, on alpha's domain
        assert fix.get_attribute("href").startswith(f"http://{alpha.primary_domain}")
        assert "/admin/pages/" in fix.get_attribute("href")
    finally:
        Scorecard.objects.filter(pk__in=made).delete()
        with schema_context("alpha"):
            ColumnPage.objects.filter(pk=empty.pk).delete()
