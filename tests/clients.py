"""Test clients: a visitor or a signed-in user of one site."""

from django.contrib.auth import get_user_model
from django.test import Client
from django_tenants.utils import schema_context

from security import twofactor


def site_client(website, user=None, verified=True, **headers) -> Client:
    """A browser on `website`; with `user`, signed in (and past 2FA when `verified`)."""
    client = Client(HTTP_HOST=website.primary_domain, **headers)
    if user is not None:
        with schema_context(website.schema_name):
            client.force_login(user)
            if verified:
                session = client.session
                session[twofactor.SESSION_VERIFIED] = True
                session.save()
    return client


def admin_client(website, username="webmaster"):
    """A client signed in to `website`'s admin as `username` (its webmaster by default)."""
    client = Client(HTTP_HOST=website.primary_domain)
    with schema_context(website.schema_name):
        client.force_login(get_user_model().objects.get(username=username))
    return client


def fetch(client, host, path, **extra):
    return client.get(path, HTTP_HOST=host, **extra)
