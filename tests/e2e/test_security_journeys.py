"""Security journeys in a real browser: lockout, two-factor enrolment, sign-in with TOTP."""

import datetime
import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from security import lockout
from security.roles import EDITOR, WEBMASTER
from tenants import services
from tests.factories import totp_code


@pytest.fixture
def enforced(settings):
    settings.TWO_FACTOR_ENFORCED = True
    return settings


def _user(username, password, role):
    with schema_context("alpha"):
        user = get_user_model().objects.create_user(username=username, password=password)
        user.groups.add(Group.objects.get(name=role))
    return user


def _sign_in(page, site_url, alpha, username, password):
    page.goto(site_url(alpha, "/admin/login/"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_lockout_message_after_five_failures(new_page, site_url, enforced):
    alpha = services.get_site("alpha")
    username = f"e2e-lock-{datetime.datetime.now():%H%M%S%f}"
    _user(username, "Right-Password-2026", EDITOR)
    page = new_page()
    try:
        for _ in range(5):
            _sign_in(page, site_url, alpha, username, "Wrong-Password-2026")
        expect(page.get_by_text("已被暂时锁定")).to_be_visible()
        _sign_in(page, site_url, alpha, username, "Right-Password-2026")
        expect(page.get_by_text("网站管理员解锁")).to_be_visible()
        assert "/admin/login/" in page.url
    finally:
        with schema_context("alpha"):
            lockout.clear_account(username)
            lockout.clear_ip("127.0.0.1")


def test_webmaster_enrols_two_factor_then_signs_in_with_it(new_page, site_url, enforced):
    alpha = services.get_site("alpha")
    username = f"e2e-wm-{datetime.datetime.now():%H%M%S%f}"
    password = "Webmaster-E2E-2026"
    _user(username, password, WEBMASTER)

    page = new_page()
    _sign_in(page, site_url, alpha, username, password)
    # Webmasters must enrol before anything else in the admin.
    expect(page).to_have_url(site_url(alpha, "/admin/2fa/setup/?next=%2Fadmin%2F"))
    expect(page.locator(".security-qr svg")).to_be_visible()
    secret = page.locator("#totp-secret").get_attribute("data-secret")
    page.fill("input[name=code]", totp_code(secret))
    page.click("form.security-form button[type=submit]")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    page.click("text=我已保存，继续")
    expect(page).to_have_url(site_url(alpha, "/admin/"))

    # Next sign-in, in another browser: password, then the authenticator's next code.
    second = new_page()
    _sign_in(second, site_url, alpha, username, password)
    expect(second).to_have_url(site_url(alpha, "/admin/2fa/?next=%2Fadmin%2F"))
    second.fill(
        "input[name=code]",
        "000000" if totp_code(secret, time.time() + 30) != "000000" else "111111",
    )
    second.click("form.security-form button[type=submit]")
    expect(second.get_by_text("验证码不正确")).to_be_visible()
    second.wait_for_timeout(1100)  # django-otp refuses to check a code within 1 s of a wrong one
    second.fill("input[name=code]", totp_code(secret, time.time() + 30))
    second.click("form.security-form button[type=submit]")
    expect(second).to_have_url(site_url(alpha, "/admin/"))

    # Lost phone: a recovery code gets in, once.
    third = new_page()
    _sign_in(third, site_url, alpha, username, password)
    third.fill("input[name=code]", codes[0])
    third.click("form.security-form button[type=submit]")
    expect(third).to_have_url(site_url(alpha, "/admin/"))
    expect(third.get_by_text("已使用一个恢复码")).to_be_visible()


def test_idle_admin_session_ends_after_30_minutes(new_page, site_url, enforced):
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore

    from security.middleware import SESSION_LAST_SEEN

    alpha = services.get_site("alpha")
    username = f"e2e-idle-{datetime.datetime.now():%H%M%S%f}"
    _user(username, "Idle-Editor-2026", EDITOR)
    page = new_page()
    _sign_in(page, site_url, alpha, username, "Idle-Editor-2026")
    expect(page).to_have_url(site_url(alpha, "/admin/"))
    # Idle means no request in flight: one of the dashboard's own admin requests arriving after
    # the session is aged below would end it first, and /admin/pages/ would then meet Wagtail's
    # login redirect instead of ours (seen once in a fresh-clone run).
    page.wait_for_load_state("networkidle")
    key = next(
        c["value"] for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME
    )
    with schema_context("alpha"):
        session = SessionStore(session_key=key)
        session[SESSION_LAST_SEEN] = time.time() - 31 * 60  # as if away for 31 minutes
        session.save()
    page.goto(site_url(alpha, "/admin/pages/"))
    expect(page).to_have_url(site_url(alpha, "/admin/login/?next=%2Fadmin%2Fpages%2F"))
    expect(page.get_by_text("超过 30 分钟未操作")).to_be_visible()
