"""Security tests run with production values for what config.settings.test relaxes."""

import pytest
from django.contrib.auth import get_user_model
from django_tenants.utils import schema_context


@pytest.fixture(autouse=True)
def production_security(settings):
    settings.TWO_FACTOR_ENFORCED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
    settings.RATE_LIMITS = {"login": (20, 60), "search": (30, 60), "form": (10, 60)}
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def webmaster(alpha):
    with schema_context("alpha"):
        return get_user_model().objects.get(username="webmaster")
