"""Test fixtures: real PostgreSQL schemas, sites provisioned the way operators do it.

Two sites, `alpha` and `beta`, are provisioned once and committed, so every test (and the
live server of the browser tests) can use them: built once into a template database that
every session and xdist worker copies (tests/template_database.py). Tests that change
data run in a transaction that is rolled back, schema DDL included.
"""

import zlib

import pytest
from django.db import connection
from django.test.utils import teardown_databases
from django_tenants.utils import schema_context

from tenants import services
from tenants.models import Website
from tests import template_database
from tests.factories import BETA_PASSWORD, PASSWORD, PORTAL_PASSWORD, PORTAL_SCHEMA, RESPONSIBILITY


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_modify_db_settings, django_db_blocker):
    """Always the test database, whichever tests were collected.

    pytest-django only creates it when a collected test carries a django_db mark; browser
    and worker tests do not (their server and worker need committed data), and would
    otherwise run against the development database. Under pytest-xdist each worker gets its
    own (django_db_modify_db_settings adds the worker's suffix to the name): a copy of one
    built once (tests/template_database.py).
    """
    with django_db_blocker.unblock():
        db_config = template_database.setup_test_database(build=_build_shared_sites)
    yield
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        # A live-server handler thread can still hold a persistent connection (CONN_MAX_AGE)
        # when the session ends; DROP DATABASE then fails with "being accessed by other users".
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        teardown_databases(db_config, verbosity=0)


def _build_shared_sites():
    """What every test finds in a freshly migrated database: the platform, the site
    template schema, and the sites alpha and beta, provisioned as operators do it."""
    services.ensure_platform()
    services.ensure_template()
    for schema, name, kind in [
        ("alpha", "乌海市甲区人民政府", "district"),
        ("beta", "乌海市乙局", "department"),
    ]:
        services.provision_site(
            kind=kind,
            legal_name=name,
            short_name=name[:4],
            domain=f"{schema}.localhost",
            schema_name=schema,
            webmaster_password=PASSWORD if schema == "alpha" else BETA_PASSWORD,
            site_code=f"15039{zlib.crc32(schema.encode()) % 100000:05d}",  # valid, unique
            icp_number=f"蒙ICP备{len(name)}号",
            sponsor_unit=name,
            **RESPONSIBILITY,
        )
    connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _public_schema_after_each_test():
    yield
    connection.set_schema_to_public()


@pytest.fixture
def alpha(db):
    return services.get_site("alpha")


@pytest.fixture
def beta(db):
    return services.get_site("beta")


@pytest.fixture
def in_site():
    """`with in_site(website): …` — run ORM code in that site's schema."""
    return lambda website: schema_context(website.schema_name)


@pytest.fixture
def in_alpha(alpha, in_site):
    """The test runs in alpha's schema."""
    with in_site(alpha):
        yield alpha


@pytest.fixture
def in_beta(beta, in_site):
    with in_site(beta):
        yield beta


@pytest.fixture(scope="session")
def portal_schema(django_db_setup, django_db_blocker):
    """The city's portal (syndication, the portal's search), provisioned once, committed."""
    with django_db_blocker.unblock():
        site = Website.objects.portal()
        if site is None:
            site = services.provision_site(
                kind="portal",
                legal_name="乌海市人民政府",
                short_name="乌海市政府",
                domain=f"{PORTAL_SCHEMA}.localhost",
                schema_name=PORTAL_SCHEMA,
                webmaster_password=PORTAL_PASSWORD,
                site_code="1503000001",
                **RESPONSIBILITY,
            ).website
        connection.set_schema_to_public()
    return site.schema_name


@pytest.fixture
def portal(db, portal_schema):
    return services.get_site(portal_schema)


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """publish(website, title, body, …) → page, with the after-commit tasks run (eager)."""
    from tests.factories import make_article

    def run(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return make_article(*args, **kwargs)

    return run


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): …` — run the block's on-commit callbacks (tasks) at its end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
