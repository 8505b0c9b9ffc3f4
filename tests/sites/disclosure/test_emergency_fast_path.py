"""Emergency information's fast path and the city-wide banner (issue 13 item 5, I5).

An emergency item goes live at once on one named approver's word (recorded, audited), leaves
the ordinary queue, and is reviewed after publication. It can raise the banner on every site:
at once for a level the platform configures, otherwise by the portal's approval. Posting a
banner needs a session that passed two-factor and a confirmation, and is audited; the banner
shows the level by colour and in words, one line, linking to the item.
"""

import datetime
import re
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from federation.syndication import broadcasts
from federation.syndication.models import Broadcast, BroadcastRequest
from security.audit.models import AuditEvent
from sites.core.models import ColumnPage
from sites.disclosure import workflows as w
from sites.disclosure.models import (
    Department,
    EmergencyInformationPage,
    EmergencyRelease,
    TopicCategory,
)
from tenants.models import Website
from tests.clients import admin_client, site_client
from tests.factories import enrolled_authenticator, unique

from .factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_banner_cache():
    broadcasts.forget_cache()
    yield
    broadcasts.forget_cache()


@pytest.fixture
def people(alpha):
    with schema_context(alpha.schema_name):
        return {
            "editor": make_user("t_editor", w.EDITOR),
            "reviewer": make_user("t_reviewer", w.REVIEWER),
            "leader": make_user("t_leader", w.LEADER),
        }


def emergency_draft(website, editor, level, title=None):
    """An editor's emergency item, submitted to the ordinary review queue."""
    with schema_context(website.schema_name):
        page = EmergencyInformationPage(
            title=title or unique("甲区强降雨紧急通知"),
            slug=unique("tf"),
            date=timezone.localdate(),
            level=level,
            event_kind="natural",
            occurred_at=timezone.now() - datetime.timedelta(hours=1),
            summary="今晚有大到暴雨，请远离河道。",
            topic_category=TopicCategory.objects.get(name="综合政务"),
            department=Department.objects.order_by("pk").first(),
            genre="emergency",
            live=False,
        )
        ColumnPage.objects.get(slug="tzgg").add_child(instance=page)
        page.save_revision(user=editor)
        page.get_workflow().start(page, editor)
        page.refresh_from_db()
        assert page.current_workflow_state is not None  # waiting in the ordinary queue
        return page


def verified_client(website, user):
    enrolled_authenticator(website, user)
    return site_client(website, user)


def release_url(page):
    return f"/admin/disclosure/emergency/{page.pk}/release/"


def test_one_named_approver_releases_at_once_and_the_review_follows(alpha, beta, people):
    page = emergency_draft(alpha, people["editor"], EmergencyInformationPage.Level.ORDINARY)
    form = {"reason": "暴雨将至，需立即告知群众", "confirm": "1"}

    # An editor is not an approver of the fast path: refused, nothing published.
    response = site_client(alpha, people["editor"]).post(release_url(page), form)
    assert response.status_code in (302, 403)
    with schema_context(alpha.schema_name):
        page.refresh_from_db()
        assert not page.live and not EmergencyRelease.objects.filter(page=page).exists()

    leader = site_client(alpha, people["leader"])
    # The leader finds it under 突发事件快速发布, without opening the editor.
    waiting = leader.get("/admin/disclosure/emergency/").content.decode()
    assert page.title in waiting and release_url(page) in waiting
    confirmation = leader.get(release_url(page)).content.decode()
    assert "确认紧急发布" in confirmation and "蓝色预警" in confirmation
    # No reason, or no confirmation: a clear message, nothing published.
    for bad in ({"reason": "", "confirm": "1"}, {"reason": "紧急"}):
        response = leader.post(release_url(page), bad)
        assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    with schema_context(alpha.schema_name):
        page.refresh_from_db()
        assert not page.live

    response = leader.post(release_url(page), form)
    assert response.status_code == 302, response.content.decode()[-2000:]
    with schema_context(alpha.schema_name):
        page.refresh_from_db()
        assert page.live and page.current_workflow_state is None  # out of the ordinary queue
        release = EmergencyRelease.objects.get(page=page)
    assert release.approved_by == "t_leader" and release.reason == form["reason"]
    assert release.banner == EmergencyRelease.Banner.NONE and not release.reviewed_at
    assert AuditEvent.objects.filter(
        schema_name=alpha.schema_name, event_type="emergency.fast_release", actor="t_leader"
    ).exists()
    assert page.title in Client().get(page.url, HTTP_HOST=alpha.primary_domain).content.decode()
    assert not BroadcastRequest.objects.filter(title=page.title).exists()

    listing = leader.get("/admin/disclosure/emergency/").content.decode()
    assert page.title in listing and "待事后审核" in listing
    # The review after publication: by someone else than the approver, recorded.
    url = f"/admin/disclosure/emergency/review/{release.pk}/"
    leader.post(url, {"note": "自己审自己"})
    release.refresh_from_db()
    assert not release.reviewed_at
    site_client(alpha, people["reviewer"]).post(url, {"note": "内容准确，同意"})
    release.refresh_from_db()
    assert release.reviewed_by == "t_reviewer" and release.review_note == "内容准确，同意"
    assert AuditEvent.objects.filter(
        schema_name=alpha.schema_name, event_type="emergency.post_review"
    ).exists()

    # Another site sees nothing of it.
    assert page.title not in admin_client(beta).get("/admin/disclosure/emergency/").content.decode()


def test_a_level_the_platform_configures_raises_the_banner_only_from_a_two_factor_session(
    alpha, beta, people, committed, settings
):
    settings.EMERGENCY_BANNER_AUTO_LEVELS = ("red",)
    page = emergency_draft(alpha, people["editor"], EmergencyInformationPage.Level.EXTREME)
    form = {"reason": "特别重大险情", "confirm": "1"}
    response = site_client(alpha, people["leader"]).post(release_url(page), form)
    assert response.status_code == 200 and "两步验证" in response.content.decode()
    with schema_context(alpha.schema_name):
        page.refresh_from_db()
        assert not page.live
    assert not Broadcast.objects.filter(title=page.title).exists()

    with committed():
        response = verified_client(alpha, people["leader"]).post(release_url(page), form)
    assert response.status_code == 302
    banner = Broadcast.objects.get(title=page.title)
    assert banner.level == "red" and banner.posted_by == "t_leader"
    assert banner.link.startswith(f"http://{alpha.primary_domain}")
    assert AuditEvent.objects.filter(event_type="broadcast.send", actor="t_leader").exists()
    html = Client().get("/", HTTP_HOST=beta.primary_domain).content.decode()
    assert "broadcast-banner__item--red" in html and "红色预警" in html and page.title in html


def test_another_level_asks_the_portal_which_approves_with_two_factor_and_a_confirmation(
    alpha, portal, people, committed, settings
):
    settings.EMERGENCY_BANNER_AUTO_LEVELS = ("red",)
    page = emergency_draft(alpha, people["editor"], EmergencyInformationPage.Level.LARGE)
    with committed():
        response = site_client(alpha, people["leader"]).post(
            release_url(page), {"reason": "较大险情", "confirm": "1", "want_banner": "1"}
        )
    assert response.status_code == 302
    req = BroadcastRequest.objects.get(title=page.title)
    assert req.status == BroadcastRequest.Status.PENDING and req.level == "yellow"
    assert not Broadcast.objects.filter(title=page.title).exists()

    inbox = admin_client(portal).get("/admin/syndication/broadcasts/").content.decode()
    assert page.title in inbox and "黄色预警" in inbox
    url = f"/admin/syndication/broadcasts/requests/{req.pk}/"
    # Not past two-factor: refused.
    response = admin_client(portal).post(url, {"confirmed": "1"})
    assert "两步验证" in response.content.decode()
    with schema_context(portal.schema_name):
        from django.contrib.auth import get_user_model

        curator = get_user_model().objects.get(username="webmaster")
    verified = verified_client(portal, curator)
    # No confirmation: refused.
    assert "请勾选" in verified.post(url, {}).content.decode()
    assert not Broadcast.objects.filter(title=page.title).exists()
    with committed():
        assert verified.post(url, {"confirmed": "1"}).status_code == 302
    req.refresh_from_db()
    assert req.status == BroadcastRequest.Status.APPROVED and req.decided_by == "webmaster"
    banner = req.broadcast
    assert banner.level == "yellow"
    assert AuditEvent.objects.filter(
        schema_name=portal.schema_name, event_type="broadcast.send", actor="webmaster"
    ).exists()
    html = Client().get("/", HTTP_HOST=alpha.primary_domain).content.decode()
    line = re.search(
        r'<p class="broadcast-banner__item broadcast-banner__item--yellow">(.*?)</p>', html, re.S
    )
    assert line, html[:3000]
    assert "黄色预警" in line.group(1) and page.title in line.group(1)
    assert f'href="{banner.link}"' in line.group(1)  # the whole line links to the item
    assert 'role="alert"' in html and 'aria-label="全市紧急通知"' in html


def test_a_banner_is_one_line_on_a_phone_with_its_level_in_colour_and_contrast():
    css = Path("sites/core/static/core/site.css").read_text()
    link = re.search(r"\.broadcast-banner__link \{([^}]*)\}", css).group(1)
    for rule in ("white-space: nowrap", "overflow: hidden", "text-overflow: ellipsis"):
        assert rule in link
    for colour in ("red", "orange", "yellow", "blue"):
        assert f".broadcast-banner__item--{colour} {{" in css


def test_the_portal_posts_a_banner_by_hand_only_from_a_two_factor_session_after_confirming(
    portal, committed
):
    title = unique("寒潮蓝色预警")
    now = timezone.localtime()
    form = {
        "level": "blue",
        "title": title,
        "text": "气温骤降，注意防寒。",
        "link": "http://synportal.localhost/tzgg/",
        "starts_at": (now - datetime.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (now + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
    }
    response = admin_client(portal).post("/admin/syndication/broadcasts/", form)
    assert response.status_code == 200 and "两步验证" in response.content.decode()
    with schema_context(portal.schema_name):
        from django.contrib.auth import get_user_model

        curator = get_user_model().objects.get(username="webmaster")
    verified = verified_client(portal, curator)
    response = verified.post("/admin/syndication/broadcasts/", form)
    assert response.status_code == 200 and "确认发布广播" in response.content.decode()
    assert not Broadcast.objects.filter(title=title).exists()  # not before the confirmation
    with committed():
        response = verified.post("/admin/syndication/broadcasts/", {**form, "confirmed": "1"})
    assert response.status_code == 302
    assert Broadcast.objects.get(title=title).level == "blue"


def test_the_demo_shows_a_yellow_banner_from_an_emergency_item_released_by_the_fast_path(
    alpha, portal, people, committed
):
    from federation.syndication import demo

    assert Website.objects.filter(kind="district").order_by("pk").first() == alpha
    emergency_draft(alpha, people["editor"], EmergencyInformationPage.Level.ORDINARY)
    with schema_context(alpha.schema_name):
        make_user("leader", w.LEADER)
    with committed():
        assert demo._broadcast(portal, demo._DemoUser()) is True
    banner = Broadcast.objects.live().get(title=demo.EMERGENCY_TITLE)
    assert banner.level == "yellow"
    with schema_context(alpha.schema_name):
        release = EmergencyRelease.objects.get(page__slug=demo.EMERGENCY_SLUG)
        assert release.approved_by == "leader" and release.page.live
    html = Client().get("/", HTTP_HOST=portal.primary_domain).content.decode()
    assert "broadcast-banner__item--yellow" in html and "黄色预警" in html
    with committed():
        assert demo._broadcast(portal, demo._DemoUser()) is False  # a second run adds nothing


def test_the_edit_screen_offers_the_fast_path_and_a_sensitive_item_never_takes_it(alpha, people):
    page = emergency_draft(alpha, people["editor"], EmergencyInformationPage.Level.ORDINARY)
    edit = admin_client(alpha).get(f"/admin/pages/{page.pk}/edit/").content  # the webmaster
    assert "紧急发布（快速通道）" in edit.decode() and release_url(page) in edit.decode()
    as_editor = site_client(alpha, people["editor"]).get(f"/admin/pages/{page.pk}/edit/").content
    assert release_url(page) not in as_editor.decode()  # not an approver of the fast path

    # An item graded 敏感 needs 保密审查 whoever acts: the fast path refuses it.
    with schema_context(alpha.schema_name):
        EmergencyInformationPage.objects.filter(pk=page.pk).update(grade="sensitive")
        page.refresh_from_db()
        page.save_revision(user=people["editor"])
    response = site_client(alpha, people["leader"]).post(
        release_url(page), {"reason": "紧急", "confirm": "1"}
    )
    assert response.status_code == 200 and "保密审查" in response.content.decode()
    with schema_context(alpha.schema_name):
        page.refresh_from_db()
        assert not page.live and not EmergencyRelease.objects.filter(page=page).exists()


@pytest.mark.parametrize("decision", ["approve", "decline"])
def test_the_leaders_release_record_shows_the_portals_decision_on_the_banner(
    alpha, portal, people, committed, settings, decision
):
    # Before: the record said "已申请全市横幅（待门户审批）" after the portal had decided.
    settings.EMERGENCY_BANNER_AUTO_LEVELS = ("red",)
    page = emergency_draft(alpha, people["editor"], EmergencyInformationPage.Level.LARGE)
    with committed():
        site_client(alpha, people["leader"]).post(
            release_url(page), {"reason": "较大险情", "confirm": "1", "want_banner": "1"}
        )
    req = BroadcastRequest.objects.get(title=page.title)
    if decision == "approve":
        broadcasts.approve_request(req, site=portal)
        expected = EmergencyRelease.Banner.APPROVED
    else:
        broadcasts.decline_request(req)
        expected = EmergencyRelease.Banner.DECLINED
    with schema_context(alpha.schema_name):
        assert EmergencyRelease.objects.get(page_id=page.pk).banner == expected
        listing = site_client(alpha, people["leader"]).get("/admin/disclosure/emergency/")
        assert expected.label in listing.content.decode()
        assert "待门户审批" not in listing.content.decode()
