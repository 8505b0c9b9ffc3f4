"""Sign-in hardening: lockout, idle timeout, TOTP two-factor with recovery codes."""

import time

import pytest
from django_tenants.utils import schema_context

from security import twofactor
from security.audit.models import AuditEvent
from security.middleware import SESSION_LAST_SEEN
from security.roles import EDITOR, WEBMASTER
from tests.clients import site_client
from tests.factories import PASSWORD, enrolled_authenticator, make_user, pending_secret, totp_code


def login(client, username, password):
    return client.post("/admin/login/", {"username": username, "password": password})


@pytest.mark.django_db
def test_a_sealed_authenticator_gives_rfc_6238_codes_and_refuses_replay_and_old_codes(
    alpha, monkeypatch
):
    # RFC 6238 appendix B's key (ASCII "12345678901234567890"): at T = 59 s the 8-digit code is
    # 94287082, so its last six digits are what a 6-digit authenticator shows.
    from types import SimpleNamespace

    import django_otp.plugins.otp_totp.models as otp_totp

    from security.models import SealedTOTPDevice

    user = make_user(alpha, "rfc-user", EDITOR)
    now = SimpleNamespace(time=lambda: 59.0)
    monkeypatch.setattr(otp_totp, "time", now)  # django-otp's clock, held still
    with schema_context("alpha"):
        device = SealedTOTPDevice.objects.create(
            user=user, name="认证器", confirmed=True, key=b"12345678901234567890".hex()
        )
        assert device.key.startswith("g1.")  # sealed on save, even when given in hex
        assert twofactor.verify(user, "287082").kind == "totp"
        assert not twofactor.verify(user, "287082")  # replay
        now.time = lambda: 59.0 + 120  # four steps later: too old
        device.refresh_from_db()
        device.throttle_reset()
        assert not twofactor.verify(user, totp_code(device.secret, at=59.0))
        twofactor.confirmed_device(user).throttle_reset()
        assert twofactor.verify(user, totp_code(device.secret, at=59.0 + 120)).kind == "totp"


@pytest.mark.django_db
def test_five_failures_lock_the_account_with_a_clear_message_until_a_webmaster_unlocks(
    alpha, webmaster
):
    make_user(alpha, "clerk", EDITOR, password="Clerk-Password-2026")
    client = site_client(alpha)
    for _ in range(4):
        assert "锁定" not in login(client, "clerk", "wrong-password-xx").content.decode()
    fifth = login(client, "clerk", "wrong-password-xx").content.decode()
    assert "已被暂时锁定" in fifth and "网站管理员解锁" in fifth
    # Even the right password is refused now from that address; from another one, never seen
    # signing in to this account, the account is slowed down (not locked: that would let
    # anyone keep its owner out).
    assert "已被暂时锁定" in login(client, "clerk", "Clerk-Password-2026").content.decode()
    elsewhere = site_client(alpha, REMOTE_ADDR="10.9.9.9")
    response = login(elsewhere, "clerk", "Clerk-Password-2026")
    assert response.status_code == 429 and "请稍后再试" in response.content.decode()
    assert AuditEvent.objects.filter(
        schema_name="alpha", event_type="auth.lockout", actor="clerk"
    ).exists()
    # The lock is alpha's only: beta has its own accounts and counters.
    make_user(beta_site(), "clerk", EDITOR, password="Clerk-Password-2026")
    assert (
        login(
            site_client(beta_site(), REMOTE_ADDR="10.9.9.8"), "clerk", "Clerk-Password-2026"
        ).status_code
        == 302
    )

    admin = site_client(alpha, webmaster)
    page = admin.get("/admin/security/accounts/").content.decode()
    assert "clerk" in page
    admin.post("/admin/security/accounts/", {"scope": "account", "value": "clerk"})
    admin.post("/admin/security/accounts/", {"scope": "ip", "value": "127.0.0.1"})
    assert (
        login(
            site_client(alpha, REMOTE_ADDR="10.9.9.9"), "clerk", "Clerk-Password-2026"
        ).status_code
        == 302
    )
    assert AuditEvent.objects.filter(schema_name="alpha", event_type="auth.unlock").exists()


def beta_site():
    from tenants.services import get_site

    return get_site("beta")


@pytest.mark.django_db
def test_five_failures_from_one_address_lock_that_address(alpha):
    make_user(alpha, "someone", EDITOR, password="Someone-Password-2026")
    client = site_client(alpha, REMOTE_ADDR="10.5.5.5")
    for i in range(5):
        login(client, f"guess{i}", "wrong-password-xx")
    response = login(client, "someone", "Someone-Password-2026")
    assert "您所在网络地址已被暂时锁定" in response.content.decode()
    assert (
        login(
            site_client(alpha, REMOTE_ADDR="10.5.5.6"), "someone", "Someone-Password-2026"
        ).status_code
        == 302
    )


@pytest.mark.django_db
def test_admin_session_ends_after_30_idle_minutes(alpha):
    editor = make_user(alpha, "idle-editor", EDITOR)
    client = site_client(alpha, editor)
    assert client.get("/admin/").status_code == 200
    with schema_context("alpha"):
        session = client.session
        session[SESSION_LAST_SEEN] = time.time() - 29 * 60
        session.save()
    assert client.get("/admin/").status_code == 200  # 29 minutes: still signed in
    with schema_context("alpha"):
        session = client.session
        session[SESSION_LAST_SEEN] = time.time() - 31 * 60
        session.save()
    response = client.get("/admin/pages/")
    assert (
        response.status_code == 302
        and response["Location"] == "/admin/login/?next=%2Fadmin%2Fpages%2F"
    )
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    assert AuditEvent.objects.filter(
        schema_name="alpha", event_type="auth.idle_timeout", actor="idle-editor"
    ).exists()


@pytest.mark.django_db
def test_webmaster_must_enrol_then_verify_and_can_use_recovery_codes_once(alpha):
    wm2 = make_user(alpha, "wm2", WEBMASTER, password="Webmaster-Two-2026")
    client = site_client(alpha)
    assert login(client, "wm2", "Webmaster-Two-2026").status_code == 302
    response = client.get("/admin/")
    assert response["Location"].startswith("/admin/2fa/setup/")
    assert client.get("/admin/pages/")["Location"].startswith("/admin/2fa/setup/")
    setup = client.get("/admin/2fa/setup/")
    assert setup.status_code == 200 and "<svg" in setup.content.decode()
    secret = pending_secret(alpha, wm2)
    wrong = "000000" if totp_code(secret) != "000000" else "111111"
    assert "验证码不正确" in client.post("/admin/2fa/setup/", {"code": wrong}).content.decode()
    enrolled = client.post("/admin/2fa/setup/", {"code": totp_code(secret)})
    codes = list(enrolled.context["codes"])
    assert len(codes) == 10
    assert client.get("/admin/").status_code == 200

    # A new sign-in: password, then the authenticator (the next 30 s code).
    second = site_client(alpha)
    login(second, "wm2", "Webmaster-Two-2026")
    assert second.get("/admin/")["Location"].startswith("/admin/2fa/")
    assert "验证码不正确" in second.post("/admin/2fa/", {"code": "123456"}).content.decode()
    # django-otp's throttle: the next code within a second is not even checked.
    throttled = second.post("/admin/2fa/", {"code": totp_code(secret, time.time() + 30)})
    assert "秒后再输入" in throttled.content.decode()
    time.sleep(1.1)
    assert (
        second.post("/admin/2fa/", {"code": totp_code(secret, time.time() + 30)}).status_code == 302
    )
    assert second.get("/admin/").status_code == 200

    # A recovery code works once.
    third = site_client(alpha)
    login(third, "wm2", "Webmaster-Two-2026")
    assert third.post("/admin/2fa/", {"code": codes[0]}).status_code == 302
    assert third.get("/admin/").status_code == 200
    fourth = site_client(alpha)
    login(fourth, "wm2", "Webmaster-Two-2026")
    assert fourth.post("/admin/2fa/", {"code": codes[0]}).status_code == 200
    kinds = set(
        AuditEvent.objects.filter(schema_name="alpha", actor="wm2").values_list(
            "event_type", flat=True
        )
    )
    assert {
        "auth.2fa_enrolled",
        "auth.2fa_verified",
        "auth.2fa_recovery_used",
        "auth.2fa_failed",
    } <= kinds


@pytest.mark.django_db
def test_second_factor_guesses_count_toward_the_lockout(alpha):
    user = make_user(alpha, "wm3", WEBMASTER, password="Webmaster-Three-2026")
    enrolled_authenticator(alpha, user)
    client = site_client(alpha, REMOTE_ADDR="10.7.7.7")
    login(client, "wm3", "Webmaster-Three-2026")
    for _ in range(4):
        client.post("/admin/2fa/", {"code": "000000"})
        with schema_context("alpha"):  # django-otp's throttle would leave the next guess unchecked
            twofactor.confirmed_device(user).throttle_reset()
    response = client.post("/admin/2fa/", {"code": "000000"})
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert "已被暂时锁定" in login(client, "wm3", "Webmaster-Three-2026").content.decode()
    # From another address the account is slowed down, not locked.
    elsewhere = login(site_client(alpha, REMOTE_ADDR="10.7.7.8"), "wm3", "Webmaster-Three-2026")
    assert elsewhere.status_code == 429 and "请稍后再试" in elsewhere.content.decode()


@pytest.mark.django_db
def test_editors_need_no_second_factor_but_may_enrol(alpha):
    make_user(alpha, "plain-editor", EDITOR, password="Plain-Editor-2026")
    client = site_client(alpha)
    login(client, "plain-editor", "Plain-Editor-2026")
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/2fa/setup/").status_code == 200


@pytest.mark.django_db
def test_console_operator_needs_two_factor(alpha):
    from django.contrib.auth import get_user_model
    from django.test import Client

    op2 = get_user_model().objects.create_user("op2", password="Operator-Pass-2026", is_staff=True)
    client = Client(HTTP_HOST="console.localhost")
    response = client.post("/login/", {"username": "op2", "password": "Operator-Pass-2026"})
    assert response.status_code == 302
    assert client.get("/")["Location"].startswith("/2fa/setup/")
    assert client.get("/2fa/setup/").status_code == 200
    from security.models import SealedTOTPDevice

    client.post("/2fa/setup/", {"code": totp_code(SealedTOTPDevice.objects.get(user=op2).secret)})
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_password_rules(alpha):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("short-9A", "password1234", "123456789012"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password(PASSWORD)


@pytest.mark.django_db
def test_unlock_account_command_for_console_and_sites(alpha):
    from django.core.management import call_command

    from security import lockout

    for _ in range(5):
        lockout.register_failure("operator9", "10.4.4.4")
    assert lockout.current_lock("operator9", "10.4.4.4")
    call_command("unlock_account", "operator9")
    assert lockout.current_lock("operator9", "10.4.4.4") is None
    with schema_context("alpha"):
        for _ in range(5):
            lockout.register_failure("webmaster", "10.4.4.5")
    call_command("unlock_account", "webmaster", schema="alpha")
    call_command("unlock_account", schema="alpha", ip="10.4.4.5")
    with schema_context("alpha"):
        assert lockout.current_lock("webmaster", "10.4.4.5") is None
