"""The permission matrix (F3, O3): each role × each admin area → allowed or refused, as designed."""

import copy
import datetime

import pytest
from django.contrib.auth.models import Group
from django_tenants.utils import schema_context

from security.roles import (
    AUDITOR,
    CONFIDENTIALITY_REVIEWER,
    EDITOR,
    MUNICIPAL_CURATOR,
    OUTSOURCED_OPERATOR,
    REVIEWER,
    SITE_ROLES,
    WEBMASTER,
)
from tenants import services
from tests.clients import site_client
from tests.factories import make_user

W, E, R, C, OUT, A = (
    WEBMASTER,
    EDITOR,
    REVIEWER,
    CONFIDENTIALITY_REVIEWER,
    OUTSOURCED_OPERATOR,
    AUDITOR,
)
EVERY_ROLE = {W, E, R, C, OUT, A}

# area → (URL template, roles allowed). Everyone else is refused.
MATRIX = {
    "dashboard": ("/admin/", EVERY_ROLE),
    # 外包运维 without a grant: no pages at all (its sections come from its VendorGrant)
    "page explorer": ("/admin/pages/{home}/", {W, E, R, C}),
    "add article": ("/admin/pages/add/core/articlepage/{column}/", {W, E}),
    "edit page": ("/admin/pages/{article}/edit/", {W, E, R, C}),
    "delete page": ("/admin/pages/{article}/delete/", {W}),  # live pages: publish right needed
    "images": ("/admin/images/", {W, E, OUT}),
    "documents": ("/admin/documents/", {W, E, OUT}),
    "users": ("/admin/users/", {W}),
    "add user": ("/admin/users/new/", {W}),
    "groups (role definitions)": ("/admin/groups/", set()),
    "sites (hostnames)": ("/admin/sites/", set()),
    "site settings": ("/admin/settings/core/siteidentity/{site}/", {W}),
    "redirects": ("/admin/redirects/", {W}),  # a webmaster's tool (issue 13, Z2)
    "workflows": ("/admin/workflows/list/", set()),
    "audit trail": ("/admin/security/audit/", {A}),
    "account locks": ("/admin/security/accounts/", {W}),
    "vendor grants": ("/admin/vendor_grants/", {W}),  # 外包运维授权 (O3)
    "add vendor grant": ("/admin/vendor_grants/new/", {W}),
}
# Reviewers approve; the finished workflow publishes (sites.disclosure): no publish right.
CAN_PUBLISH = {W}


def outcome(response) -> str:
    if response.status_code == 200:
        return "allowed"
    # Wagtail refuses with 403 for XHR requests, with a redirect to the dashboard otherwise.
    if response.status_code == 403 or (
        response.status_code == 302 and response["Location"] in ("/admin/", "/admin")
    ):
        return "refused"
    return f"unexpected {response.status_code} {response.get('Location', '')}"


@pytest.fixture
def alpha_pages(alpha):
    from wagtail.models import Site

    from sites.core.models import ArticlePage, ColumnPage, HomePage

    with schema_context("alpha"):
        column = ColumnPage.objects.get(slug="gzdt")
        article = column.add_child(
            instance=ArticlePage(title="矩阵测试文章", date=datetime.date.today())
        )
        article.save_revision().publish()
        return {
            "home": HomePage.objects.get().pk,
            "column": column.pk,
            "article": article.pk,
            "site": Site.objects.get().pk,
        }


@pytest.mark.django_db
def test_permission_matrix(alpha, alpha_pages):
    results, wrong = {}, []
    for role in sorted(EVERY_ROLE):
        user = make_user(alpha, f"matrix-{len(results)}", role)
        client = site_client(alpha, user, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
        for area, (template, allowed) in MATRIX.items():
            got = outcome(client.get(template.format(**alpha_pages)))
            want = "allowed" if role in allowed else "refused"
            results[(role, area)] = got
            if got != want:
                wrong.append(f"{role} × {area}: {got}, designed {want}")
        with schema_context("alpha"):
            from wagtail.models import Page

            can_publish = (
                Page.objects.get(pk=alpha_pages["article"]).permissions_for_user(user).can_publish()
            )
        if can_publish != (role in CAN_PUBLISH):
            wrong.append(f"{role} × publish: {can_publish}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db
def test_every_site_gets_the_roles_and_the_first_webmaster_is_not_superuser(alpha, beta):
    for site in (alpha, beta):
        with schema_context(site.schema_name):
            from django.contrib.auth import get_user_model

            names = set(Group.objects.values_list("name", flat=True))
            assert set(SITE_ROLES) <= names
            assert MUNICIPAL_CURATOR not in names  # portal only
            assert not {"Editors", "Moderators"} & names
            webmaster = get_user_model().objects.get(username="webmaster")
            assert not webmaster.is_superuser
            assert list(webmaster.groups.values_list("name", flat=True)) == [WEBMASTER]


@pytest.mark.django_db
def test_portal_adds_the_municipal_curator():
    result = services.provision_site(
        kind="portal",
        legal_name="乌海市人民政府",
        short_name="乌海市",
        domain="portal-roles.localhost",
        schema_name="portal_roles",
        webmaster_password="Portal-Webmaster-2026",
    )
    portal = result.website
    with schema_context("portal_roles"):
        assert Group.objects.filter(name=MUNICIPAL_CURATOR).exists()
        from sites.core.models import ArticlePage, ColumnPage

        column = ColumnPage.objects.get(slug="yaowen")
        article = column.add_child(
            instance=ArticlePage(title="门户稿件", date=datetime.date.today())
        )
    curator = make_user(portal, "curator", MUNICIPAL_CURATOR)
    client = site_client(portal, curator, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert client.get(f"/admin/pages/{article.pk}/edit/").status_code == 200
    assert outcome(client.get("/admin/users/")) == "refused"
    with schema_context("portal_roles"):
        assert article.permissions_for_user(curator).can_publish()


@pytest.mark.django_db
def test_webmaster_manages_users_only_on_their_own_site(alpha, beta, webmaster):
    client = site_client(alpha, webmaster)
    response = client.post(
        "/admin/users/new/",
        {
            "username": "new-editor",
            "email": "e@example.gov.cn",
            "first_name": "新",
            "last_name": "编辑",
            "password1": "Brand-New-Editor-2026",
            "password2": "Brand-New-Editor-2026",
            "groups": [_group_pk(alpha, EDITOR)],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with schema_context("alpha"):
        from django.contrib.auth import get_user_model

        created = get_user_model().objects.get(username="new-editor")
        assert list(created.groups.values_list("name", flat=True)) == [EDITOR]
    with schema_context("beta"):
        assert not get_user_model().objects.filter(username="new-editor").exists()
    # alpha's webmaster session is nothing on beta
    other = site_client(beta)
    other.cookies = copy.deepcopy(client.cookies)
    assert other.get("/admin/users/")["Location"].startswith("/admin/login/")


def _group_pk(site, name):
    with schema_context(site.schema_name):
        return Group.objects.get(name=name).pk


@pytest.mark.django_db
def test_demo_seed_gives_one_account_per_role(alpha):
    from tenants.demo import roles as demo

    created = dict(demo.seed(alpha, "Demo-Password-2026"))
    assert created == {
        "editor": EDITOR,
        "reviewer": REVIEWER,
        "secrecy": CONFIDENTIALITY_REVIEWER,
        "vendor": OUTSOURCED_OPERATOR,
        "auditor": AUDITOR,
    }
    assert demo.seed(alpha, "Demo-Password-2026")  # idempotent
    fields = demo.responsibility({"short_name": "海勃湾区", "contact_phone": "0473-1"})
    assert all(fields.values())


@pytest.mark.django_db
def test_ensure_site_roles_upgrades_older_sites(alpha):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    with schema_context("alpha"):
        Group.objects.filter(name=AUDITOR).delete()
        get_user_model().objects.create_superuser("old-webmaster", password="Old-Webmaster-2026")
    call_command("ensure_site_roles", "alpha", demote_superusers=True)
    with schema_context("alpha"):
        assert Group.objects.filter(name=AUDITOR).exists()
        old = get_user_model().objects.get(username="old-webmaster")
        assert not old.is_superuser and old.groups.filter(name=WEBMASTER).exists()
