"""Redirects are a webmaster's tool (issue 13, item 3; Z2): an editor cannot add one, the
revoked right is taken back from existing sites, and a target off the platform's domains
needs a webmaster."""

import pytest
from django.contrib.auth.models import Group, Permission
from django_tenants.utils import schema_context
from wagtail.contrib.redirects.models import Redirect

from security.roles import EDITOR, WEBMASTER, ensure_site_roles
from tests.clients import site_client
from tests.factories import make_user

PHISHING = "https://evil.example.com/login"


def add(client, old_path, target):
    return client.post(
        "/admin/redirects/add/",
        {"old_path": old_path, "site": "", "redirect_page": "", "redirect_link": target},
        follow=True,
    )


def redirect_perms():
    return Permission.objects.filter(content_type__app_label="wagtailredirects")


@pytest.mark.django_db
def test_an_editor_cannot_add_or_edit_redirects(alpha):
    editor = make_user(alpha, "redir_editor", EDITOR)
    client = site_client(alpha, editor)
    with schema_context("alpha"):
        existing = Redirect.objects.create(
            old_path="/old", redirect_link="https://alpha.localhost/"
        )
    assert client.get("/admin/redirects/add/").status_code != 200
    add(client, "/bangshi", PHISHING)
    edit = client.post(
        f"/admin/redirects/{existing.pk}/",
        {"old_path": "/old", "site": "", "redirect_page": "", "redirect_link": PHISHING},
    )
    assert edit.status_code != 200
    with schema_context("alpha"):
        assert not Redirect.objects.filter(old_path="/bangshi").exists()
        assert Redirect.objects.get(pk=existing.pk).redirect_link == "https://alpha.localhost/"
        assert (
            not Group.objects.get(name=EDITOR)
            .permissions.filter(content_type__app_label="wagtailredirects")
            .exists()
        )


@pytest.mark.django_db
def test_ensure_site_roles_takes_the_revoked_right_back_from_existing_sites(alpha, beta):
    with schema_context("alpha"):
        editors = Group.objects.get(name=EDITOR)
        editors.permissions.add(*redirect_perms())  # as sites provisioned before the fix
        ensure_site_roles(alpha)
        assert not editors.permissions.filter(content_type__app_label="wagtailredirects").exists()
        # the webmaster keeps them
        assert (
            Group.objects.get(name=WEBMASTER).permissions.filter(codename="add_redirect").exists()
        )
    with schema_context("beta"):  # another site's groups are their own
        assert (
            not Group.objects.get(name=EDITOR)
            .permissions.filter(content_type__app_label="wagtailredirects")
            .exists()
        )


@pytest.mark.django_db
def test_an_outside_target_needs_a_webmaster(alpha, beta):
    # someone holding the redirect rights without being a webmaster (a grant made by hand)
    clerk = make_user(alpha, "redir_clerk")
    with schema_context("alpha"):
        clerk.user_permissions.add(
            *redirect_perms(), Permission.objects.get(codename="access_admin")
        )
    client = site_client(alpha, clerk)
    refused = add(client, "/bangshi", PHISHING).content.decode()
    assert "不是本平台网站的域名" in refused and "evil.example.com" in refused
    # a target on the platform (another site of the city) is fine
    add(client, "/beta", "http://beta.localhost/news/")
    with schema_context("alpha"):
        assert not Redirect.objects.filter(old_path="/bangshi").exists()
        assert Redirect.objects.filter(old_path="/beta").exists()

    webmaster = site_client(alpha, make_user(alpha, "redir_wm", WEBMASTER))
    add(webmaster, "/partner", "https://www.gov.cn/")
    with schema_context("alpha"):
        assert Redirect.objects.filter(old_path="/partner").exists()
    with schema_context("beta"):  # another site does not see alpha's redirects
        assert not Redirect.objects.filter(old_path__in=["/partner", "/beta"]).exists()
