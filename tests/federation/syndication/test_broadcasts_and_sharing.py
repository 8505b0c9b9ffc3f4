"""Broadcasts (I5) on every site, and portal resources shared without copies (P5)."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from federation.syndication import broadcasts, sharing
from federation.syndication.models import Broadcast, BroadcastLogEntry, SharedResource
from tests.clients import admin_client, site_client
from tests.factories import enrolled_authenticator, unique

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_banner_cache():
    broadcasts.forget_cache()
    yield
    broadcasts.forget_cache()


def visitor_html(website, path="/"):
    return Client().get(path, HTTP_HOST=website.primary_domain).content.decode()


def post(title, starts=-60, ends=3600, committed=None):
    now = timezone.now()
    with committed():
        return broadcasts.post_broadcast(
            title=title,
            text="请市民避免前往河道沿岸。",
            link="http://synportal.localhost/tzgg/flood/",
            starts_at=now + datetime.timedelta(seconds=starts),
            ends_at=now + datetime.timedelta(seconds=ends),
            user=None,
        )


def test_a_live_broadcast_shows_on_every_site_and_goes_when_withdrawn(
    alpha, beta, portal, committed
):
    title = unique("防汛紧急通知")
    b = post(title, committed=committed)
    for site in (alpha, beta, portal):
        html = visitor_html(site)
        assert 'role="alert"' in html and title in html
        assert 'href="http://synportal.localhost/tzgg/flood/"' in html
    with committed():
        broadcasts.withdraw_broadcast(b)
    assert title not in visitor_html(alpha) and title not in visitor_html(beta)
    actions = list(
        BroadcastLogEntry.objects.filter(broadcast=b).order_by("at").values_list("action", "actor")
    )
    assert actions == [("posted", "system"), ("withdrawn", "system")]
    assert Broadcast.objects.get(pk=b.pk).withdrawn_at is not None


def test_a_broadcast_shows_only_between_start_and_end(alpha, committed):
    later = post(unique("明日停电通知"), starts=600, ends=3600, committed=committed)
    assert later.title not in visitor_html(alpha)
    in_window = later.starts_at + datetime.timedelta(seconds=1)
    assert [b["title"] for b in broadcasts.live_broadcasts(at=in_window)] == [later.title]
    after_end = later.ends_at + datetime.timedelta(seconds=1)
    assert later.title not in [b["title"] for b in broadcasts.live_broadcasts(at=after_end)]


def test_bad_broadcasts_are_refused(committed):
    with pytest.raises(ValidationError):
        post("结束早于开始", starts=100, ends=50, committed=committed)
    with pytest.raises(ValidationError):
        post("已经结束", starts=-100, ends=-50, committed=committed)


def test_the_municipal_office_broadcasts_from_the_portal_admin_only(alpha, portal, committed):
    title = unique("寒潮预警")
    now = timezone.localtime()
    form = {
        "level": "blue",
        "confirmed": "1",  # the confirmation step (tests/sites/disclosure/test_emergency_fast_path)
        "title": title,
        "text": "气温骤降，注意防寒。",
        "link": "http://synportal.localhost/tzgg/",
        "starts_at": (now - datetime.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (now + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
    }
    with schema_context(portal.schema_name):
        webmaster = get_user_model().objects.get(username="webmaster")
    enrolled_authenticator(portal, webmaster)
    curator = site_client(portal, webmaster)  # posting a banner needs a two-factor session
    with committed():
        response = curator.post("/admin/syndication/broadcasts/", form)
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert response["Location"] == "/admin/syndication/broadcasts/", response["Location"]
    b = Broadcast.objects.get(title=title)
    assert b.posted_by == "webmaster"
    assert BroadcastLogEntry.objects.get(broadcast=b).site == portal
    assert title in visitor_html(alpha)
    # A district's webmaster cannot broadcast: the view does not exist there.
    assert admin_client(alpha).post("/admin/syndication/broadcasts/", form).status_code == 404
    # Missing fields: the form says so.
    response = curator.post("/admin/syndication/broadcasts/", {"title": "缺内容"})
    assert response.status_code == 200 and 'class="errorlist' in response.content.decode()
    assert not Broadcast.objects.filter(title="缺内容").exists()


def test_a_shared_portal_document_is_listed_everywhere_and_never_copied(
    alpha, beta, portal, settings
):
    from wagtail.documents.models import Document

    with schema_context(portal.schema_name):
        document = Document.objects.create(
            title=unique("政府工作报告全文"),
            file=ContentFile(b"%PDF-1.4 report", name="report.pdf"),
        )
        resource = sharing.share_document(document)
    assert resource.url.startswith("http://synportal.localhost/documents/")
    listing = admin_client(beta).get("/admin/syndication/shared/").content.decode()
    assert document.title in listing and resource.url in listing
    # The block renders the portal's link on alpha; alpha's media holds no copy.
    from shared_blocks.blocks import SharedDocumentBlock

    block = SharedDocumentBlock()
    with schema_context("alpha"):
        value = block.to_python({"resource": str(resource.pk), "label_text": ""})
        html = block.render(value)
        from wagtail.documents.models import Document as AlphaDocument

        assert not AlphaDocument.objects.filter(title=document.title).exists()
    assert f'href="{resource.url}"' in html and document.title in html
    assert (str(resource.pk), f"{document.title}（PDF，{portal.short_name}）") in sharing.choices(
        "document"
    )
    # Unsharing removes it from the choices, and the block renders nothing.
    with schema_context(portal.schema_name):
        sharing.unshare(SharedResource.Kind.DOCUMENT, document.pk)
    assert str(resource.pk) not in dict(sharing.choices("document"))
    assert block.render(value).strip() == ""


def test_only_the_portal_curator_can_share(alpha, portal):
    assert (
        admin_client(alpha)
        .post("/admin/syndication/shared/document/1/", {"share": "1"})
        .status_code
        == 404
    )
    assert (
        admin_client(portal)
        .post("/admin/syndication/shared/document/999999/", {"share": "1"})
        .status_code
        == 404
    )


def cached(client, website, path="/"):
    """Fetch until the page cache serves it (a new host takes a request to learn, one to store)."""
    return any(
        client.get(path, HTTP_HOST=website.primary_domain)["X-Page-Cache"] == "hit"
        for _ in range(3)
    )


@pytest.fixture
def pagecache(settings):
    """The page cache (pagecache) switched on and empty, as in production."""
    from django.core.cache import caches

    from pagecache import middleware

    settings.PAGECACHE_ENABLED = True
    caches["pages"].clear()
    middleware.forget_local_hosts()
    yield
    caches["pages"].clear()
    middleware.forget_local_hosts()


def test_broadcasts_purge_cached_pages_and_are_audited(alpha, beta, portal, committed, pagecache):
    """With the page cache on, a visitor must not keep seeing a page without the banner."""
    from security.audit.models import AuditEvent

    client = Client()
    before = client.get("/", HTTP_HOST=alpha.primary_domain)
    assert 'role="alert"' not in before.content.decode()
    assert cached(client, alpha)
    title = unique("燃气管道抢修通知")
    b = post(title, committed=committed)
    assert title in client.get("/", HTTP_HOST=alpha.primary_domain).content.decode()
    assert AuditEvent.objects.filter(event_type="broadcast.send", object_id=str(b.pk)).exists()
    with committed():
        broadcasts.withdraw_broadcast(b)
    assert title not in client.get("/", HTTP_HOST=alpha.primary_domain).content.decode()
    assert AuditEvent.objects.filter(event_type="broadcast.withdraw", object_id=str(b.pk)).exists()


def test_a_broadcast_starting_later_purges_at_its_start(alpha, committed, pagecache):
    client = Client()
    later = post(unique("定时广播"), starts=30, ends=3600, committed=committed)
    assert later.title not in client.get("/", HTTP_HOST=alpha.primary_domain).content.decode()
    assert cached(client, alpha)
    at_start = later.starts_at + datetime.timedelta(seconds=1)
    with committed():  # the purge happens on commit (the beat task runs in autocommit)
        assert broadcasts.check_boundaries(now=at_start) == 1
        assert broadcasts.check_boundaries(now=at_start) == 0  # once per boundary
    Broadcast.objects.filter(pk=later.pk).update(
        starts_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    broadcasts.forget_cache()
    assert later.title in client.get("/", HTTP_HOST=alpha.primary_domain).content.decode()
