"""Authenticator secrets are sealed at rest: a copy of the database does not give them away,
and a key can be rotated without locking anyone out."""

import importlib
import io
import logging

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_context

from security import sealing, totp, twofactor
from security.models import TwoFactorDevice
from security.roles import WEBMASTER
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def stored(user) -> str:
    """The column as a database dump would show it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT sealed_secret FROM security_twofactordevice WHERE user_id = %s", [user.pk])
        return cursor.fetchone()[0]


@pytest.fixture
def enrolled(alpha, settings):
    settings.TWO_FACTOR_KEYS = ["first-key"]
    user = make_user(alpha, "sealed-wm", WEBMASTER, password="Sealed-Webmaster-2026")
    secret = totp.new_secret()
    with schema_context("alpha"):
        assert twofactor.enrol(user, secret, totp.code_at(secret))
    return user, secret


def verify_now(user, secret):
    """A code of the next time step: the enrolment used this one's, and none is accepted twice."""
    import time

    with schema_context("alpha"):
        return twofactor.verify(user, totp.code_at(secret, time.time() + 30))


def test_the_database_holds_the_secret_sealed_and_sign_in_still_works(enrolled):
    user, secret = enrolled
    with schema_context("alpha"):
        raw = stored(user)
        assert raw.startswith(sealing.SEALED_PREFIX) and secret not in raw
        assert TwoFactorDevice.objects.get(user=user).secret == secret
    assert verify_now(user, secret) == "totp"


def test_a_new_key_goes_first_the_old_still_opens_and_reseal_moves_everything(enrolled, settings):
    user, secret = enrolled
    settings.TWO_FACTOR_KEYS = ["second-key", "first-key"]
    with schema_context("alpha"):
        before = stored(user)
    out = io.StringIO()
    call_command("reseal_two_factor", stdout=out)
    assert "alpha: 1 resealed" in out.getvalue()
    with schema_context("alpha"):
        assert stored(user) != before
    settings.TWO_FACTOR_KEYS = ["second-key"]  # the old key is gone
    assert verify_now(user, secret) == "totp"


def test_a_lost_key_refuses_the_code_and_says_what_to_do_never_a_server_error(enrolled, settings, caplog):
    user, secret = enrolled
    settings.TWO_FACTOR_KEYS = ["some-other-key"]
    with caplog.at_level(logging.ERROR, logger="jiyue.security"):
        assert verify_now(user, secret) is None
    assert "TWO_FACTOR_KEYS" in caplog.text


def test_the_migration_seals_secrets_stored_in_clear(enrolled):
    user, secret = enrolled
    migration = importlib.import_module("security.migrations.0002_sealed_two_factor_secrets")
    with schema_context("alpha"):
        TwoFactorDevice.objects.filter(user=user).update(sealed_secret=secret)  # as before 0002
        migration.seal_existing(django_apps, None)
        assert stored(user).startswith(sealing.SEALED_PREFIX)
        assert TwoFactorDevice.objects.get(user=user).secret == secret
        migration.seal_existing(django_apps, None)  # idempotent: sealed ones are left alone
        assert TwoFactorDevice.objects.get(user=user).secret == secret
