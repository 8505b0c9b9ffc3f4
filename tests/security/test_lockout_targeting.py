"""Lockout is not a weapon: failures lock an account from the address they come from and that
address, never the account everywhere; an account attacked from many addresses is slowed down,
and its owner, from his usual address and with his second factor, still signs in."""

import time

import pytest
from django_tenants.utils import schema_context

from security import twofactor
from security.roles import WEBMASTER
from tests.clients import site_client
from tests.factories import enrolled_authenticator, make_user, totp_code

OWNER_ADDRESS = "10.20.0.1"
OWNER_PASSWORD = "Owner-Password-2026"  # noqa: S105


def login(client, username, password):
    return client.post("/admin/login/", {"username": username, "password": password})


def sign_in_with_second_factor(client, user, secret, step=0):
    """Password, then the authenticator's code `step` 30-second steps from now (a code is
    accepted once: the second sign-in of a test gives the next one)."""
    response = login(client, user.username, OWNER_PASSWORD)
    assert response.status_code == 302, response.content.decode()[:2000]
    with schema_context("alpha"):
        twofactor.confirmed_device(user).throttle_reset()
    response = client.post("/admin/2fa/", {"code": totp_code(secret, at=time.time() + 30 * step)})
    assert response.status_code == 302 and not response["Location"].startswith("/admin/login/")
    assert client.get("/admin/").status_code == 200


@pytest.fixture
def owner(alpha):
    """A webmaster with an authenticator, who signed in once from his office address."""
    user = make_user(alpha, "wm-owner", WEBMASTER, password=OWNER_PASSWORD)
    secret = enrolled_authenticator(alpha, user)
    office = site_client(alpha, REMOTE_ADDR=OWNER_ADDRESS)
    sign_in_with_second_factor(office, user, secret)
    return user, secret


@pytest.mark.django_db
def test_failures_from_one_address_do_not_lock_the_owner_out_from_his(alpha, owner):
    user, secret = owner
    attacker = site_client(alpha, REMOTE_ADDR="10.66.0.1")
    for _ in range(6):
        login(attacker, user.username, "wrong-password-xx")
    # The attacker's address is locked for this account, even with the right password.
    refused = login(attacker, user.username, OWNER_PASSWORD)
    assert refused.status_code != 302 and "已被暂时锁定" in refused.content.decode()
    # The owner, from his address, signs in (password, then second factor).
    sign_in_with_second_factor(site_client(alpha, REMOTE_ADDR=OWNER_ADDRESS), user, secret, 1)


@pytest.mark.django_db
def test_an_account_attacked_from_many_addresses_is_slowed_down_not_locked(alpha, owner):
    user, secret = owner
    answers = [
        login(site_client(alpha, REMOTE_ADDR=f"10.77.0.{i}"), user.username, "wrong-password-xx")
        for i in range(1, 13)
    ]
    assert all(a.status_code != 302 for a in answers)
    assert not any("已被暂时锁定" in a.content.decode() for a in answers)
    slowed = answers[-1]
    assert slowed.status_code == 429 and "请稍后再试" in slowed.content.decode()
    assert 0 < int(slowed["Retry-After"]) <= 15 * 60
    # Slowed down before the password is checked: a new address with the right one waits too.
    new_address = login(site_client(alpha, REMOTE_ADDR="10.77.1.1"), user.username, OWNER_PASSWORD)
    assert new_address.status_code == 429 and "请稍后再试" in new_address.content.decode()
    # None of the attacking addresses is locked as an address (one failure each).
    from security import lockout

    with schema_context("alpha"):
        assert lockout.current_lock("someone-else", "10.77.0.1") is None
    # The owner, from his usual address, with password and second factor, signs in.
    sign_in_with_second_factor(site_client(alpha, REMOTE_ADDR=OWNER_ADDRESS), user, secret, 1)


@pytest.mark.django_db
def test_the_throttle_and_locks_are_one_sites_only(alpha, owner):
    from tenants.services import get_site

    user, _ = owner
    for i in range(1, 8):
        login(site_client(alpha, REMOTE_ADDR=f"10.78.0.{i}"), user.username, "wrong-password-xx")
    beta = get_site("beta")
    make_user(beta, user.username, WEBMASTER, password=OWNER_PASSWORD)
    response = login(site_client(beta, REMOTE_ADDR="10.78.0.1"), user.username, OWNER_PASSWORD)
    assert response.status_code == 302
