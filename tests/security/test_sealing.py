"""Authenticator keys are sealed at rest: a copy of the database does not give them away, a key
can be rotated without locking anyone out, and authenticators and recovery codes enrolled
before django-otp carried over without anyone enrolling again."""

import base64
import hmac
import io
import logging
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_tenants.utils import schema_context

from security import sealing, twofactor
from security.models import SealedTOTPDevice
from security.roles import WEBMASTER
from tests.factories import make_user, totp_code

pytestmark = pytest.mark.django_db


def stored_keys(user) -> list[str]:
    """django-otp's key column as a database dump would show it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM otp_totp_totpdevice WHERE user_id = %s", [user.pk])
        return [row[0] for row in cursor.fetchall()]


def stored_tokens(user) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.token FROM otp_static_statictoken t JOIN otp_static_staticdevice d "
            "ON d.id = t.device_id WHERE d.user_id = %s",
            [user.pk],
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def enrolled(alpha, settings):
    settings.TWO_FACTOR_KEYS = ["first-key"]
    user = make_user(alpha, "sealed-wm", WEBMASTER, password="Sealed-Webmaster-2026")
    with schema_context("alpha"):
        secret = twofactor.pending_device(user).secret
        device, codes = twofactor.enrol(user, totp_code(secret))
    return user, secret, codes


def verify_now(user, secret):
    """A code of the next time step: the enrolment used this one's, and none is accepted twice."""
    with schema_context("alpha"):
        return twofactor.verify(user, totp_code(secret, time.time() + 30))


def test_the_device_table_holds_no_key_in_clear_and_sign_in_still_works(enrolled):
    user, secret, codes = enrolled
    with schema_context("alpha"):
        [raw] = stored_keys(user)
        key = base64.b32decode(secret)
        assert raw.startswith(sealing.SEALED_PREFIX) and len(raw) <= 80
        assert key.hex() not in raw.lower() and secret not in raw
        tokens = stored_tokens(user)
        assert len(tokens) == 10 and not {c.replace("-", "") for c in codes} & set(tokens)
    assert verify_now(user, secret).kind == "totp"
    with schema_context("alpha"):
        assert twofactor.verify(user, codes[3]).kind == "recovery"


def test_a_device_given_a_clear_key_stores_it_sealed(alpha):
    user = make_user(alpha, "hex-given", WEBMASTER)
    with schema_context("alpha"):
        device = SealedTOTPDevice.objects.create(
            user=user, name="认证器", confirmed=True
        )  # django-otp's default key
        [raw] = stored_keys(user)
        assert raw.startswith(sealing.SEALED_PREFIX) and len(device.bin_key) == 20


def test_a_new_key_goes_first_the_old_still_opens_and_reseal_moves_everything(enrolled, settings):
    user, secret, _ = enrolled
    settings.TWO_FACTOR_KEYS = ["second-key", "first-key"]
    with schema_context("alpha"):
        before = stored_keys(user)
    out = io.StringIO()
    call_command("reseal_two_factor", stdout=out)
    assert "alpha: 1 resealed" in out.getvalue()
    with schema_context("alpha"):
        assert stored_keys(user) != before
    settings.TWO_FACTOR_KEYS = ["second-key"]  # the old key is gone
    assert verify_now(user, secret).kind == "totp"


def test_a_lost_key_refuses_the_code_and_says_what_to_do_never_a_server_error(
    enrolled, settings, caplog
):
    user, secret, _ = enrolled
    settings.TWO_FACTOR_KEYS = ["some-other-key"]
    with caplog.at_level(logging.ERROR, logger="jiyue.security"):
        assert not verify_now(user, secret)
    assert "TWO_FACTOR_KEYS" in caplog.text


def test_an_authenticator_and_recovery_codes_from_before_django_otp_still_work(alpha, settings):
    """Migrate alpha's security tables back to their last pre-django-otp state, enrol the old way
    (a Fernet-sealed base32 secret, HMAC'd recovery codes), migrate forward, sign in."""
    settings.TWO_FACTOR_KEYS = ["first-key"]
    user = make_user(alpha, "old-enrolled", WEBMASTER)
    secret = base64.b32encode(b"an-old-20-byte-key!!").decode()
    old_codes = ["a1b2c-3d4e5", "f6a7b-8c9d0", "11111-22222"]
    last_step = int(time.time() // 30)
    with schema_context("alpha"):
        with connection.cursor() as cursor:
            # Rows written in this transaction hold deferred FK checks; ALTER/DROP TABLE
            # refuses to run while any are pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        executor = MigrationExecutor(connection)
        executor.migrate([("security", "0002_sealed_two_factor_secrets")])
        old_apps = executor.loader.project_state(
            ("security", "0002_sealed_two_factor_secrets")
        ).apps
        old_apps.get_model("security", "TwoFactorDevice").objects.create(
            user_id=user.pk,
            sealed_secret=sealing.legacy_seal(secret),
            confirmed_at="2026-03-01T08:00Z",
            last_used_step=last_step,
        )
        for n, code in enumerate(old_codes):
            old_apps.get_model("security", "RecoveryCode").objects.create(
                user_id=user.pk,
                used_at="2026-03-02T08:00Z" if n == 2 else None,
                code_hash=hmac.new(
                    settings.SECRET_KEY.encode(), code.replace("-", "").encode(), "sha256"
                ).hexdigest(),
            )
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes("security"))

        [raw] = stored_keys(user)
        assert raw.startswith(sealing.SEALED_PREFIX) and secret not in raw
        device = twofactor.confirmed_device(user)
        assert device.created_at.isoformat().startswith("2026-03-01")
        # The code of the step used last before the move is still refused (no replay).
        assert not twofactor.verify(user, totp_code(secret, at=last_step * 30))
        device.refresh_from_db()
        device.throttle_reset()
        assert twofactor.verify(user, totp_code(secret, at=(last_step + 1) * 30)).kind == "totp"
        assert twofactor.remaining_recovery_codes(user) == 2  # the used one did not come along
        assert twofactor.verify(user, old_codes[0].upper()).kind == "recovery"
        assert not twofactor.verify(user, old_codes[2])
