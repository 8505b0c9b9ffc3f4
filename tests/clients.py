"""Test clients: a visitor or a signed-in user of one site."""

from django.contrib.auth import get_user_model
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_tenants.utils import schema_context

from security import twofactor
from security.models import SealedTOTPDevice


def site_client(website, user=None, verified=True, **headers) -> Client:
    """A browser on `website`; with `user`, signed in (and past 2FA when `verified`)."""
    client = Client(HTTP_HOST=website.primary_domain, **headers)
    if user is not None:
        with schema_context(website.schema_name):
            client.force_login(user)
            if verified:
                verify_session(client, user)
    return client


def verify_session(client, user) -> None:
    """Past 2FA, as django-otp records it: the session names the device that verified it. A
    user who must give a second factor and has no authenticator is given one. Runs in the
    user's schema."""
    if not twofactor.must_verify(user):
        return
    device = twofactor.confirmed_device(user) or SealedTOTPDevice.objects.create(
        user=user, name=twofactor.AUTHENTICATOR_NAME, confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def admin_client(website, username="webmaster"):
    """A client signed in to `website`'s admin as `username` (its webmaster by default)."""
    client = Client(HTTP_HOST=website.primary_domain)
    with schema_context(website.schema_name):
        client.force_login(get_user_model().objects.get(username=username))
    return client


def fetch(client, host, path, **extra):
    return client.get(path, HTTP_HOST=host, **extra)
