"""Test fixtures: real PostgreSQL schemas, sites provisioned the way operators do it.

Two sites, `alpha` and `beta`, are provisioned once per test session and committed, so
every test (and the live server of the browser tests) can use them. Tests that change
data run in a transaction that is rolled back, schema DDL included.
"""

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from tenants import services

PASSWORD = "Correct-Horse-Battery-9"  # alpha's webmaster
BETA_PASSWORD = "Other-Staple-Lantern-7"  # beta's webmaster: same username, other password
# Who answers for a site (Z3): without these a site cannot be (re)activated.
RESPONSIBILITY = dict(responsible_leader="王主任", responsible_leader_phone="0473-3920001",
                      operator_unit="乌海市大数据中心", operator_contact="李工",
                      operator_contact_phone="0473-3920002")


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker):
    """Always the test database, whichever tests were collected.

    pytest-django only creates it when a collected test carries a django_db mark; browser
    and worker tests do not (their server and worker need committed data), and would
    otherwise run against the development database.
    """
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        db_config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        services.ensure_platform()
        services.ensure_template()
        for schema, name, kind in [
            ("alpha", "乌海市甲区人民政府", "district"),
            ("beta", "乌海市乙局", "department"),
        ]:
            if not services.sites().filter(schema_name=schema).exists():
                services.provision_site(
                    kind=kind, legal_name=name, short_name=name[:4],
                    domain=f"{schema}.localhost", schema_name=schema,
                    webmaster_password=PASSWORD if schema == "alpha" else BETA_PASSWORD, site_code=f"15030{len(schema)}{schema[:1]}".ljust(10, "0"),
                    icp_number=f"蒙ICP备{len(name)}号", sponsor_unit=name,
                    **RESPONSIBILITY,
                )
        connection.set_schema_to_public()
    yield
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        teardown_databases(db_config, verbosity=0)


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


def host(website) -> str:
    return website.primary_domain
