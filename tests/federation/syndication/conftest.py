"""Syndication needs a portal: one is provisioned (committed) beside alpha and beta."""

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from tenants import services as tenant_services
from tests.conftest import RESPONSIBILITY

PORTAL_PASSWORD = "Portal-Curator-Password-5"
PORTAL_SCHEMA = "synportal"


@pytest.fixture(scope="session")
def portal_schema(django_db_setup, django_db_blocker):
    from federation.syndication.services import portal

    with django_db_blocker.unblock():
        site = portal()
        if site is None:
            site = tenant_services.provision_site(
                kind="portal", legal_name="乌海市人民政府", short_name="乌海市政府",
                domain=f"{PORTAL_SCHEMA}.localhost", schema_name=PORTAL_SCHEMA,
                webmaster_password=PORTAL_PASSWORD, site_code="1503000001", **RESPONSIBILITY,
            ).website
        connection.set_schema_to_public()
    return site.schema_name


@pytest.fixture
def portal(db, portal_schema):
    return tenant_services.get_site(portal_schema)


def admin_client(website, username="webmaster"):
    """A client logged in to `website`'s admin as its webmaster (a superuser of that schema)."""
    from django.contrib.auth import get_user_model

    client = Client(HTTP_HOST=website.primary_domain)
    with schema_context(website.schema_name):
        client.force_login(get_user_model().objects.get(username=username))
    return client
