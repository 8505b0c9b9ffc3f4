"""Outsourced operators get exactly what their contract covers (issue 13, item 15; O3): the
sections named in the grant, until the contract end (the webmaster warned before), and their
actions listed in the audit trail."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from django_tenants.utils import schema_context
from wagtail.models import GroupPagePermission, Page

from security import vendors
from security.audit.services import record
from security.models import VendorGrant
from security.roles import AUDITOR, OUTSOURCED_OPERATOR, WEBMASTER, ensure_site_roles
from tests.clients import site_client
from tests.factories import make_user

VENDOR_PASSWORD = "Vendor-Contract-2026"


def today():
    return timezone.localdate()


def columns():
    from sites.core.models import ColumnPage

    return list(ColumnPage.objects.filter(depth=3).order_by("path")[:2])


def grant(site, username, days=90, company="某某网络科技有限公司"):
    """A vendor account with a grant on the site's first column only."""
    user = make_user(site, username, OUTSOURCED_OPERATOR, password=VENDOR_PASSWORD)
    with schema_context(site.schema_name):
        granted, other = columns()
        vendor_grant = VendorGrant.objects.create(
            user=user, company=company, contract_end=today() + datetime.timedelta(days=days)
        )
        vendor_grant.sections.set([granted])
    return user, granted, other, vendor_grant


@pytest.mark.django_db
def test_a_vendor_works_only_in_the_sections_of_its_grant(alpha):
    user, granted, other, _ = grant(alpha, "vendor_a")
    client = site_client(alpha, user, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert client.get(f"/admin/pages/add/core/articlepage/{granted.pk}/").status_code == 200
    assert client.get(f"/admin/pages/add/core/articlepage/{other.pk}/").status_code == 403
    with schema_context("alpha"):
        assert granted.permissions_for_user(user).can_add_subpage()
        assert not other.permissions_for_user(user).can_add_subpage()
        assert not Page.objects.get(depth=2).permissions_for_user(user).can_edit()
        assert not granted.permissions_for_user(user).can_publish()


@pytest.mark.django_db
def test_changing_the_sections_moves_the_rights(alpha):
    user, granted, other, vendor_grant = grant(alpha, "vendor_b")
    with schema_context("alpha"):
        vendor_grant.sections.set([other])
        assert other.permissions_for_user(user).can_add_subpage()
        assert not granted.permissions_for_user(user).can_add_subpage()
        vendor_grant.delete()
        fresh = type(user).objects.get(pk=user.pk)  # Wagtail caches permissions on the user
        assert not other.permissions_for_user(fresh).can_add_subpage()


@pytest.mark.django_db
def test_the_role_alone_gives_no_pages_and_older_sites_lose_the_home_grant(alpha):
    user = make_user(alpha, "vendor_nogrant", OUTSOURCED_OPERATOR)
    with schema_context("alpha"):
        home = Page.objects.get(depth=2)
        role = Group.objects.get(name=OUTSOURCED_OPERATOR)
        # a site provisioned before: the role held add/change on the home page
        for codename in ("add_page", "change_page"):
            GroupPagePermission.objects.get_or_create(
                group=role, page=home, permission=Permission.objects.get(codename=codename)
            )
        ensure_site_roles(alpha)
        assert not GroupPagePermission.objects.filter(group=role).exists()
        assert not home.permissions_for_user(user).can_add_subpage()


@pytest.mark.django_db
def test_no_sign_in_after_the_contract_end(alpha):
    user, *_ = grant(alpha, "vendor_c", days=-1)
    client = site_client(alpha)
    response = client.post(
        "/admin/login/", {"username": "vendor_c", "password": VENDOR_PASSWORD}, follow=True
    )
    assert "合同已于" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # a session opened before the end is closed at the next request
    open_session = site_client(alpha, user)
    response = open_session.get("/admin/")
    assert response.status_code == 302 and "/login" in response["Location"]
    assert "_auth_user_id" not in open_session.session
    # a current contract signs in
    grant(alpha, "vendor_d", days=30)
    ok = site_client(alpha)
    ok.post("/admin/login/", {"username": "vendor_d", "password": VENDOR_PASSWORD})
    assert "_auth_user_id" in ok.session


@pytest.mark.django_db
def test_the_webmaster_is_warned_before_the_end_and_another_site_is_not(alpha, beta):
    grant(alpha, "vendor_e", days=5, company="即将到期科技公司")
    grant(alpha, "vendor_f", days=200, company="长期合同科技公司")
    webmaster = make_user(alpha, "vendor_wm", WEBMASTER)
    dashboard = site_client(alpha, webmaster).get("/admin/").content.decode()
    assert "外包运维合同提醒" in dashboard and "即将到期科技公司" in dashboard
    assert "长期合同科技公司" not in dashboard
    # beta's webmaster sees nothing of alpha's contracts
    other = make_user(beta, "vendor_wm_b", WEBMASTER)
    assert "即将到期科技公司" not in site_client(beta, other).get("/admin/").content.decode()
    # an editor is not told
    from security.roles import EDITOR

    editor = make_user(alpha, "vendor_ed", EDITOR)
    assert "外包运维合同提醒" not in site_client(alpha, editor).get("/admin/").content.decode()


@pytest.mark.django_db
def test_the_webmaster_manages_grants_in_the_admin(alpha):
    user = make_user(alpha, "vendor_g", OUTSOURCED_OPERATOR)
    webmaster = make_user(alpha, "vendor_wm2", WEBMASTER)
    client = site_client(alpha, webmaster)
    with schema_context("alpha"):
        granted, _ = columns()
    response = client.post(
        "/admin/vendor_grants/new/",
        {
            "user": user.pk,
            "company": "后台新建科技公司",
            "contract_number": "HT-2026-01",
            "contract_end": (today() + datetime.timedelta(days=60)).isoformat(),
            "sections": [granted.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    with schema_context("alpha"):
        assert granted.permissions_for_user(user).can_add_subpage()


@pytest.mark.django_db
def test_the_audit_trail_lists_a_vendors_actions(alpha, beta):
    user, *_ = grant(alpha, "vendor_h", company="审计筛选科技公司")
    with schema_context("alpha"):
        record("page.publish", actor="vendor_h", object_repr="外包改的页面")
        record("page.publish", actor="someone_else", object_repr="别人改的页面")
    auditor = make_user(alpha, "vendor_auditor", AUDITOR)
    client = site_client(alpha, auditor)
    listed = client.get("/admin/security/audit/?vendor=all").content.decode()
    assert "外包改的页面" in listed and "别人改的页面" not in listed
    assert "审计筛选科技公司" in listed  # the filter offers each vendor by company
    with schema_context("alpha"):
        one = VendorGrant.objects.get(user__username="vendor_h").pk
    assert "外包改的页面" in client.get(f"/admin/security/audit/?vendor={one}").content.decode()
    # beta's trail has none of it
    beta_auditor = make_user(beta, "vendor_auditor_b", AUDITOR)
    beta_listed = site_client(beta, beta_auditor).get("/admin/security/audit/?vendor=all")
    assert "外包改的页面" not in beta_listed.content.decode()


@pytest.mark.django_db
def test_the_demo_vendor_has_a_grant_the_dashboard_warns_about(alpha):
    from tenants.demo import roles as demo

    demo.seed(alpha, "Demo-Password-2026")
    with schema_context("alpha"):
        seeded = VendorGrant.objects.get(user__username="vendor")
        assert seeded.sections.count() == 1
        assert seeded in set(vendors.ending_soon())
