"""Emergency read-only mode, response headers, upload limits and rate limits."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django_tenants.utils import schema_context

from security.audit.models import AuditEvent
from tenants import services
from tests.clients import site_client, verify_session
from tests.factories import make_user


@pytest.mark.django_db
def test_frozen_site_serves_pages_and_refuses_every_write(alpha, beta, webmaster):
    from sites.core.models import ColumnPage

    call_command("freeze_site", "alpha", reason="网页被篡改，应急处置")
    alpha = services.get_site("alpha")
    assert alpha.frozen_at and alpha.frozen_reason == "网页被篡改，应急处置"
    visitor = site_client(alpha)
    assert visitor.get("/").status_code == 200
    assert visitor.get("/gzdt/").status_code == 200
    refused = visitor.post("/gzdt/", {"name": "x"})
    assert refused.status_code == 503 and "只读" in refused.content.decode()

    admin = site_client(alpha, webmaster)
    page = admin.get("/admin/")
    assert page.status_code == 200 and "应急冻结" in page.content.decode()
    with schema_context("alpha"):
        column_id = ColumnPage.objects.get(slug="gzdt").pk
    write = admin.post(
        f"/admin/pages/add/core/articlepage/{column_id}/", {"title": "篡改", "slug": "x"}
    )
    assert write.status_code == 503
    # sign-in still works, so responders can look around
    assert (
        site_client(alpha)
        .post("/admin/login/", {"username": "webmaster", "password": "x"})
        .status_code
        == 200
    )
    # beta is not affected
    assert site_client(beta).post("/bmdt/", {"name": "x"}).status_code != 503

    call_command("unfreeze_site", "alpha")
    assert services.get_site("alpha").frozen_at is None
    kinds = set(AuditEvent.objects.filter(schema_name="alpha").values_list("event_type", flat=True))
    assert {"console.site_frozen", "console.site_unfrozen"} <= kinds
    with pytest.raises(CommandError, match="--all"):
        call_command("freeze_site")
    call_command("freeze_site", all=True)
    assert all(site.frozen_at for site in services.sites())
    call_command("unfreeze_site", all=True)


@pytest.mark.django_db
def test_public_pages_carry_csp_without_inline_scripts_and_security_headers(alpha):
    response = site_client(alpha).get("/")
    csp = response["Content-Security-Policy"]
    script_src = next(part for part in csp.split(";") if "script-src" in part)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "object-src 'none'" in csp and "frame-ancestors 'self'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response["Permissions-Policy"]
    # and the public templates have no inline script the CSP would have to allow
    assert (
        "<script>" not in response.content.decode() and "onclick=" not in response.content.decode()
    )


@pytest.mark.django_db
def test_the_admin_allows_inline_scripts_only_with_this_responses_nonce(alpha, webmaster):
    import re

    from wagtail.models import Site

    from sites.core.models import ColumnPage

    with schema_context("alpha"):
        column_id = ColumnPage.objects.get(slug="gzdt").pk
        site_id = Site.objects.get(is_default_site=True).pk
    admin = site_client(alpha, webmaster)
    pages = {  # Wagtail's inline scripts: a date widget (template), an image chooser (Python)
        f"/admin/pages/add/core/articlepage/{column_id}/": "initDateChooser(",
        f"/admin/settings/core/siteidentity/{site_id}/": "new ImageChooser(",
    }
    nonces = []
    for path, script in [*pages.items(), *pages.items()]:
        response = admin.get(path)
        csp = response["Content-Security-Policy"]
        script_src = next(part for part in csp.split(";") if "script-src" in part)
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
        directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
        assert directives["object-src"] == "'none'" and directives["img-src"] == "'self'"
        assert directives["frame-ancestors"] == "'self'"
        [nonce] = re.findall(r"'nonce-([^']+)'", script_src)
        body = response.content.decode()
        assert f'<script nonce="{nonce}">{script}' in body
        # Every inline script of the page carries exactly this response's nonce.
        inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", body)
        assert inline and set(inline) == {f'<script nonce="{nonce}">'}, path
        nonces.append(nonce)
    assert len(set(nonces)) == len(nonces)


@pytest.mark.django_db
def test_the_console_gets_the_strict_policy(alpha):
    from django.test import Client

    csp = Client(HTTP_HOST="console.localhost").get("/login/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'" and directives["object-src"] == "'none'"


@pytest.mark.django_db
def test_uploads_are_limited_by_type_and_size(alpha, webmaster, settings):
    from wagtail.documents.forms import get_document_form
    from wagtail.documents.models import Document
    from wagtail.images.forms import get_image_form
    from wagtail.images.models import Image

    settings.WAGTAILDOCS_MAX_UPLOAD_SIZE = 1024
    with schema_context("alpha"):
        DocumentForm = get_document_form(Document)
        too_big = DocumentForm(
            {"title": "大文件"},
            {"file": SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * 2000)},
            user=webmaster,
        )
        assert not too_big.is_valid() and "文件过大" in str(too_big.errors)
        script = DocumentForm(
            {"title": "脚本"}, {"file": SimpleUploadedFile("run.html", b"<script>")}, user=webmaster
        )
        assert not script.is_valid()
        ImageForm = get_image_form(Image)
        svg = ImageForm(
            {"title": "矢量"},
            {"file": SimpleUploadedFile("x.svg", b"<svg onload=alert(1)>")},
            user=webmaster,
        )
        assert not svg.is_valid()
    assert settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS <= 40_000_000
    assert settings.WAGTAILDOCS_SERVE_METHOD == "serve_view"


@pytest.mark.django_db
def test_rate_limits_are_per_site_and_per_address(alpha, beta, settings, monkeypatch):
    from types import SimpleNamespace

    import django_ratelimit.core

    # One fixed window for the whole test: a minute boundary must not reset the counters.
    monkeypatch.setattr(
        django_ratelimit.core, "time", SimpleNamespace(time=lambda: 1_800_000_030.0)
    )
    settings.RATE_LIMITS = {"login": (3, 60), "search": (3, 60), "form": (2, 60)}
    client = site_client(alpha, REMOTE_ADDR="10.3.3.3")
    codes = [client.get("/", {"q": "供暖"}).status_code for _ in range(4)]
    assert codes[:3] == [200, 200, 200] and codes[3] == 429
    assert site_client(beta, REMOTE_ADDR="10.3.3.3").get("/", {"q": "供暖"}).status_code == 200
    assert site_client(alpha, REMOTE_ADDR="10.3.3.4").get("/", {"q": "供暖"}).status_code == 200
    forms = [client.post("/gzdt/", {"x": "1"}).status_code for _ in range(3)]
    assert forms[2] == 429 and 429 not in forms[:2]
    logins = [
        client.post("/admin/login/", {"username": "a", "password": "b"}).status_code
        for _ in range(4)
    ]
    assert logins[3] == 429
    assert client.get("/").status_code == 200  # reading is never limited


@pytest.mark.django_db
def test_rich_text_is_sanitised_on_the_way_in(alpha):
    from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter

    converter = ContentstateConverter(features=["bold", "link"])
    html = converter.to_database_format(
        converter.from_database_format(
            '<p>正文<script>alert(1)</script><a href="javascript:alert(1)" onclick="x()">链接</a></p>'
        )
    )
    assert "<script" not in html and "javascript:" not in html and "onclick" not in html


@pytest.mark.django_db
def test_console_lists_responsibility_and_activation_needs_it(alpha):
    from django.contrib.auth import get_user_model
    from django.test import Client

    result = services.provision_site(
        kind="department",
        legal_name="乌海市无责局",
        short_name="无责局",
        domain="nobody.localhost",
        webmaster_password="Nobody-Webmaster-2026",
        site_code="1503009977",  # activation needs it too (issue 13): here only people lack
    )
    site = result.website
    services.set_status(site, "suspended")
    with pytest.raises(services.ProvisioningError, match="主管领导"):
        services.set_status(site, "active")
    operator = get_user_model().objects.create_user(
        "op-resp", password="Operator-Pass-2026", is_staff=True
    )
    client = Client(HTTP_HOST="console.localhost")
    client.force_login(operator)
    verify_session(client, operator)
    register = client.get("/sites/responsibility/").content.decode()
    assert "乌海市无责局" in register and "缺少" in register
    client.post(
        f"/sites/{site.schema_name}/responsibility/",
        {
            "responsible_leader": "周局长",
            "responsible_leader_phone": "0473-1111111",
            "operator_unit": "市信息中心",
            "operator_contact": "吴工",
            "operator_contact_phone": "0473-2222222",
        },
    )
    client.post(f"/sites/{site.schema_name}/status/", {"status": "active"})
    assert services.get_site(site.schema_name).status == "active"
    assert AuditEvent.objects.filter(
        schema_name="public", event_type="console.site_registry"
    ).exists()


@pytest.mark.django_db
def test_documents_are_served_through_the_view_and_only_on_their_site(alpha, beta):
    from wagtail.documents.models import Document

    with schema_context("alpha"):
        doc = Document.objects.create(
            title="甲区文件",
            file=SimpleUploadedFile(
                f"alpha-{datetime.datetime.now():%H%M%S%f}.txt", b"alpha secret text"
            ),
        )
        url = doc.url
    assert url.startswith("/documents/")
    served = site_client(alpha).get(url)
    assert served.status_code == 200 and b"alpha secret text" in b"".join(served.streaming_content)
    other = site_client(beta).get(url)
    assert other.status_code == 404
    make_user(alpha, "unused-doc-user")  # documents need no account to read
