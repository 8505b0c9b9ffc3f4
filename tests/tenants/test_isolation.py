"""What one site holds is invisible from another: pages, admin, sessions, media, cache."""

from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.test import Client
from django_tenants.utils import schema_context
from wagtail.documents.models import Document
from wagtail.models import Page

from sites.core.models import ArticlePage, ColumnPage
from tests.factories import BETA_PASSWORD, PASSWORD

pytestmark = pytest.mark.django_db


def publish_article(schema, column_slug, title):
    with schema_context(schema):
        column = ColumnPage.objects.get(slug=column_slug)
        article = column.add_child(
            instance=ArticlePage(
                title=title, date="2026-11-20", source="办公室", slug="secret-plan"
            )
        )
        article.save_revision().publish()
        return article.pk, article.url_path


def test_page_published_on_alpha_is_not_served_by_beta(alpha, beta):
    pk, _ = publish_article("alpha", "gzdt", "甲区独有的工作动态")
    client = Client()
    on_alpha = client.get("/gzdt/secret-plan/", HTTP_HOST=alpha.primary_domain)
    assert on_alpha.status_code == 200 and "甲区独有的工作动态" in on_alpha.content.decode()
    assert client.get("/gzdt/secret-plan/", HTTP_HOST=beta.primary_domain).status_code == 404
    assert (
        "甲区独有的工作动态" not in client.get("/", HTTP_HOST=beta.primary_domain).content.decode()
    )
    with schema_context("beta"):
        # Page ids repeat across schemas; whatever beta has under that id is beta's own.
        assert not Page.objects.filter(title="甲区独有的工作动态").exists()


def test_admin_login_and_session_belong_to_one_site(alpha, beta):
    client = Client()
    assert client.login(username="webmaster", password=PASSWORD) is False  # no tenant: public
    response = client.post(
        "/admin/login/",
        {"username": "webmaster", "password": PASSWORD},
        HTTP_HOST=alpha.primary_domain,
    )
    assert response.status_code == 302
    assert client.get("/admin/", HTTP_HOST=alpha.primary_domain).status_code == 200
    # The same session cookie presented to beta: beta's session table has no such key.
    response = client.get("/admin/", HTTP_HOST=beta.primary_domain)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    # alpha's password is wrong for beta's webmaster, beta's is right.
    refused = client.post(
        "/admin/login/",
        {"username": "webmaster", "password": PASSWORD},
        HTTP_HOST=beta.primary_domain,
    )
    assert refused.status_code == 200
    accepted = client.post(
        "/admin/login/",
        {"username": "webmaster", "password": BETA_PASSWORD},
        HTTP_HOST=beta.primary_domain,
    )
    assert accepted.status_code == 302


def test_session_cookie_is_host_only(alpha):
    response = Client().post(
        "/admin/login/",
        {"username": "webmaster", "password": PASSWORD},
        HTTP_HOST=alpha.primary_domain,
    )
    cookie = response.cookies["jiyue_session"]
    assert cookie["domain"] == ""  # no Domain attribute: the browser sends it to this host only
    assert cookie["httponly"]


def test_admin_lists_only_the_sites_own_pages(alpha, beta):
    publish_article("alpha", "gzdt", "只在甲区后台出现的稿件")
    client = Client()
    client.post(
        "/admin/login/",
        {"username": "webmaster", "password": BETA_PASSWORD},
        HTTP_HOST=beta.primary_domain,
    )
    search = client.get("/admin/pages/search/?q=只在甲区后台出现", HTTP_HOST=beta.primary_domain)
    assert search.status_code == 200
    assert "只在甲区后台出现的稿件" not in search.content.decode()


def test_media_files_live_under_the_sites_own_folder(alpha, beta):
    # The configured media root (not a per-test override: django-tenants' storage computes
    # its per-schema location once, so an override would race with earlier tests).
    with schema_context("alpha"):
        document = Document(title="甲区内部文件")
        document.file.save("plan.pdf", ContentFile(b"%PDF-1.4 alpha only"), save=True)
        path = Path(document.file.path)
        doc_id, filename = document.pk, Path(document.file.name).name
    assert "/tenants/alpha/" in str(path) and path.exists()
    beta_folder = path.parents[1].parent / "beta"
    assert not (beta_folder.exists() and any(beta_folder.rglob(filename)))
    client = Client()
    assert (
        client.get(f"/documents/{doc_id}/{filename}", HTTP_HOST=beta.primary_domain).status_code
        == 404
    )
    response = client.get(f"/documents/{doc_id}/{filename}", HTTP_HOST=alpha.primary_domain)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 alpha only"


def test_cache_entries_carry_the_site(alpha, beta):
    with schema_context("alpha"):
        cache.set("home-fragment", "甲区内容")
        assert cache.get("home-fragment") == "甲区内容"
    with schema_context("beta"):
        assert cache.get("home-fragment") is None
        cache.set("home-fragment", "乙局内容")
    with schema_context("alpha"):
        assert cache.get("home-fragment") == "甲区内容"


def test_page_urls_are_right_on_every_site(alpha, beta):
    """Without tenant cache keys Wagtail's site-root cache leaks and URLs come out None."""
    client = Client()
    for website in (alpha, beta, alpha):
        html = client.get("/", HTTP_HOST=website.primary_domain).content.decode()
        assert 'href="None"' not in html
        assert website.legal_name in html
    with schema_context("beta"):
        column = ColumnPage.objects.get(slug="bmdt")
        assert column.get_url() == "/bmdt/"
        assert column.full_url.startswith("http://beta.localhost")


def test_unknown_suspended_and_archived_hosts(alpha):
    from tenants import services

    client = Client()
    unknown = client.get("/", HTTP_HOST="nosuch.example.gov.cn")
    assert unknown.status_code == 404 and "网站不存在" in unknown.content.decode()
    services.set_status(alpha, "suspended")
    suspended = client.get("/", HTTP_HOST=alpha.primary_domain)
    assert suspended.status_code == 503 and alpha.legal_name in suspended.content.decode()
    services.set_status(alpha, "archived")
    assert client.get("/gzdt/", HTTP_HOST=alpha.primary_domain).status_code == 410
    services.set_status(alpha, "active")
    assert client.get("/", HTTP_HOST=alpha.primary_domain).status_code == 200


def test_template_schema_is_not_a_website():
    client = Client()
    from tenants.models import Domain, Website

    template = Website.objects.get(kind="template")
    Domain.objects.create(domain="template.localhost", tenant=template, is_primary=True)
    assert client.get("/", HTTP_HOST="template.localhost").status_code == 404


def test_admin_says_which_site_it_manages(alpha, beta):
    client = Client()
    login = client.get("/admin/login/", HTTP_HOST=beta.primary_domain).content.decode()
    assert beta.legal_name in login and alpha.legal_name not in login
    client.post(
        "/admin/login/",
        {"username": "webmaster", "password": PASSWORD},
        HTTP_HOST=alpha.primary_domain,
    )
    dashboard = client.get("/admin/", HTTP_HOST=alpha.primary_domain).content.decode()
    assert f"{alpha.legal_name} 网站管理后台" in dashboard
