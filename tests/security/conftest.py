"""Security tests run with production values for what config.settings.test relaxes."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django_tenants.utils import schema_context

from sites.security import twofactor


@pytest.fixture(autouse=True)
def production_security(settings):
    settings.TWO_FACTOR_ENFORCED = True
    settings.LOGIN_LOCKOUT_FAILURES = 5
    settings.LOGIN_LOCKOUT_IP_FAILURES = 5
    settings.RATE_LIMITS = {"login": (20, 60), "search": (30, 60), "form": (10, 60)}
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def make_user(website, username, role=None, password="Long-Enough-Pass-2026", **extra):  # noqa: S107
    with schema_context(website.schema_name):
        user = get_user_model().objects.create_user(username=username, password=password, **extra)
        if role:
            user.groups.add(Group.objects.get(name=role))
    return user


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


@pytest.fixture
def webmaster(alpha):
    with schema_context("alpha"):
        return get_user_model().objects.get(username="webmaster")
