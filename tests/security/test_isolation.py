"""Isolation matrix: nothing of site A is reachable from site B (admin, documents, media,
search, cache, sessions, audit, lockouts). Every probe that reaches A's data is a leak."""

import copy
import datetime

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_tenants.utils import schema_context

from security import lockout
from security.audit import services as audit
from security.roles import AUDITOR
from tests.clients import site_client
from tests.factories import make_user

MARK = "甲区独有内容"
# What a leak would show: the query (MARK) is echoed by search pages, these never are.
LEAK_MARKERS = [
    f"{MARK}{suffix}".encode() for suffix in ("文章", "草稿", "文件", "图片", "摘要", "审计")
]
LEAK_MARKERS.append(MARK.encode() + b"\n")  # the document's and media file's own text


@pytest.fixture
def alpha_content(alpha):
    from wagtail.documents.models import Document
    from wagtail.images.models import Image

    from sites.core.models import ArticlePage, ColumnPage

    stamp = datetime.datetime.now().strftime("%H%M%S%f")
    with schema_context("alpha"):
        column = ColumnPage.objects.get(slug="gzdt")
        article = column.add_child(
            instance=ArticlePage(
                title=f"{MARK}文章", date=datetime.date.today(), summary=f"{MARK}摘要"
            )
        )
        article.save_revision().publish()
        draft = column.add_child(
            instance=ArticlePage(title=f"{MARK}草稿", date=datetime.date.today(), live=False)
        )
        document = Document.objects.create(
            title=f"{MARK}文件", file=ContentFile(MARK.encode() + b"\n", name=f"iso-{stamp}.txt")
        )
        image = Image.objects.create(
            title=f"{MARK}图片", file=ContentFile(_png(), name=f"iso-{stamp}.png")
        )
        cache.set("isolation-probe", MARK)
        media_name = default_storage.save(f"probe/iso-{stamp}.txt", ContentFile(MARK.encode()))
        media_path = default_storage.path(media_name)
        return {
            "article": article,
            "draft": draft,
            "document": document,
            "image": image,
            "media_name": media_name,
            "media_path": media_path,
        }


def _png() -> bytes:
    import io

    from PIL import Image as PILImage

    buffer = io.BytesIO()
    PILImage.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.django_db
def test_isolation_matrix(alpha, beta, alpha_content, webmaster):
    from django.contrib.auth import get_user_model

    a = alpha_content
    with schema_context("beta"):
        beta_webmaster = get_user_model().objects.get(username="webmaster")
    alpha_admin = site_client(alpha, webmaster)
    beta_admin = site_client(beta, beta_webmaster)
    leaks, checked = [], 0

    def probe(name, response, *, alpha_visible_ok=False):
        nonlocal checked
        checked += 1
        body = b""
        if response.status_code == 200:
            body = b"".join(response.streaming_content) if response.streaming else response.content
        if any(marker in body for marker in LEAK_MARKERS) and not alpha_visible_ok:
            leaks.append(f"{name}: {response.status_code}")

    # Admin views on beta, by alpha's object ids (ids repeat across schemas).
    for name, url in [
        ("edit article", f"/admin/pages/{a['article'].pk}/edit/"),
        ("edit draft", f"/admin/pages/{a['draft'].pk}/edit/"),
        ("page history", f"/admin/pages/{a['article'].pk}/history/"),
        ("preview draft", f"/admin/pages/{a['draft'].pk}/view_draft/"),
        ("explorer", f"/admin/pages/{a['article'].get_parent().pk}/"),
        ("page search", f"/admin/pages/search/?q={MARK}"),
        ("document edit", f"/admin/documents/edit/{a['document'].pk}/"),
        ("document list", "/admin/documents/"),
        ("image edit", f"/admin/images/{a['image'].pk}/"),
        ("image list", "/admin/images/"),
        ("users", "/admin/users/"),
        ("choosers", f"/admin/choose-page/search/?q={MARK}"),
        ("image chooser", f"/admin/images/chooser/?q={MARK}"),
        ("document chooser", f"/admin/documents/chooser/?q={MARK}"),
        ("site history report", "/admin/reports/site-history/"),
        ("audit trail", "/admin/security/audit/"),
    ]:
        probe(f"beta admin: {name}", beta_admin.get(url))

    # Public URLs on beta: pages, documents, search.
    probe(
        "beta page path",
        site_client(beta).get(a["article"].url_path.split("/", 2)[-1].join(["/", ""])),
    )
    probe("beta document URL", site_client(beta).get(a["document"].url))
    probe("beta search", site_client(beta).get("/", {"q": MARK}))
    # Media: alpha's storage path is alpha's folder; the same name on beta is another file.
    assert "/tenants/alpha/" in a["media_path"]
    with schema_context("beta"):
        checked += 1
        if default_storage.exists(a["media_name"]):
            leaks.append("beta storage sees alpha's media file")
        checked += 1
        if "/tenants/beta/" not in default_storage.path(a["media_name"]):
            leaks.append("beta storage path is not beta's folder")
        # Wagtail search inside beta's schema
        from sites.core.models import ArticlePage

        checked += 1
        if ArticlePage.objects.live().search(MARK).count():
            leaks.append("beta search backend returns alpha's article")
        # Cache: same key, other schema
        checked += 1
        if cache.get("isolation-probe") is not None:
            leaks.append("cache entry visible from beta")

    # Sessions: alpha's session cookie presented to beta is nobody.
    stolen = site_client(beta)
    stolen.cookies = copy.deepcopy(alpha_admin.cookies)
    response = stolen.get("/admin/")
    checked += 1
    if response.status_code == 200:
        leaks.append("alpha session accepted by beta")

    # Audit: beta's auditor reads only beta.
    audit.record("page.publish", schema_name="alpha", object_repr=f"{MARK}审计")
    auditor = make_user(beta, "iso-auditor", AUDITOR)
    probe("beta auditor trail", site_client(beta, auditor).get("/admin/security/audit/"))
    probe("beta auditor CSV", site_client(beta, auditor).get("/admin/security/audit/?format=csv"))

    # Lockouts: failures on alpha are nothing on beta.
    with schema_context("alpha"):
        for _ in range(5):
            lockout.register_failure("webmaster", "10.8.8.8")
        assert lockout.current_lock("webmaster", "10.8.8.8")
    with schema_context("beta"):
        checked += 1
        if lockout.current_lock("webmaster", "10.8.8.8"):
            leaks.append("alpha's lockout applies on beta")

    # Sanity: alpha itself does see its own content (the probes can find a leak).
    own = alpha_admin.get(f"/admin/pages/{a['article'].pk}/edit/")
    assert MARK in own.content.decode()
    with schema_context("alpha"):
        assert cache.get("isolation-probe") == MARK
    served = site_client(alpha).get(a["document"].url)
    assert LEAK_MARKERS[-1] in b"".join(served.streaming_content)

    assert checked >= 25
    assert leaks == [], leaks
