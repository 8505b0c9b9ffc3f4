"""PgBouncer in transaction pooling mode in front of django-tenants (config.pgbouncer_backend).

A transaction-pooling PgBouncer lends a server connection per transaction. These tests put
one in front of the test database with fewer server connections than clients, so clients of
different sites take turns on the same server connections, and check that every query reads
its own site's rows.
"""

import contextlib
import threading

import pytest
from django.db import connection, connections, transaction
from wagtail.models import Site

from tests.deployment import committed_sites, pgbouncer, through

pytestmark = pytest.mark.deployment


@pytest.fixture
def sites(django_db_setup, django_db_blocker):
    with committed_sites(django_db_blocker) as found:
        yield found


POOLED = "config.pgbouncer_backend"
STOCK = "django_tenants.postgresql_backend"


@contextlib.contextmanager
def database_alias(alias: str, settings_dict: dict):
    """A Django database alias for the duration of a test (each thread opens its own
    connection on it, as Django does; each closes its own)."""
    connections.settings[alias] = settings_dict
    try:
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]
        del connections.settings[alias]


def hostnames(alias: str) -> list[str]:
    return list(Site.objects.using(alias).values_list("hostname", flat=True))


def test_the_stock_backend_reads_another_sites_rows_through_a_transaction_pooler(sites):
    alpha, beta = sites
    # Why the pooled backend exists: django-tenants sends SET search_path once per
    # connection, as a transaction of its own. With one server connection behind the pooler,
    # beta's SET is still on it when alpha's next query arrives.
    with (
        pgbouncer(connection.settings_dict, pool_size=1) as port,
        database_alias("first", through(connection.settings_dict, port, ENGINE=STOCK)),
        database_alias("second", through(connection.settings_dict, port, ENGINE=STOCK)),
    ):
        connections["first"].set_tenant(alpha)
        connections["second"].set_tenant(beta)
        assert hostnames("first") == ["alpha.localhost"]
        assert hostnames("second") == ["beta.localhost"]
        assert hostnames("first") == ["beta.localhost"]  # alpha's connection, beta's rows


def test_the_pooled_backend_keeps_each_connection_on_its_site_in_the_same_sequence(sites):
    alpha, beta = sites
    with (
        pgbouncer(connection.settings_dict, pool_size=1) as port,
        database_alias("first", through(connection.settings_dict, port, ENGINE=POOLED)),
        database_alias("second", through(connection.settings_dict, port, ENGINE=POOLED)),
    ):
        connections["first"].set_tenant(alpha)
        connections["second"].set_tenant(beta)
        assert hostnames("first") == ["alpha.localhost"]
        assert hostnames("second") == ["beta.localhost"]
        assert hostnames("first") == ["alpha.localhost"]
        # executemany cannot carry the SET in its statements: it runs in a transaction behind it.
        with connections["first"].cursor() as cursor:
            cursor.executemany(
                "UPDATE wagtailcore_site SET port = port WHERE hostname = %s",
                [("alpha.localhost",), ("beta.localhost",)],
            )
            assert cursor.rowcount == 1  # alpha's row, in alpha's schema
        with transaction.atomic(using="second"):
            assert hostnames("second") == ["beta.localhost"]
            connections["second"].set_tenant(alpha)  # a schema switch inside a transaction
            assert hostnames("second") == ["alpha.localhost"]
        assert hostnames("first") == ["alpha.localhost"]


def test_two_sites_queries_interleaved_through_the_pooler_never_see_each_others_rows(sites):
    alpha, beta = sites
    threads, rounds, pool_size = 8, 60, 2
    sites = [(alpha, "alpha.localhost"), (beta, "beta.localhost")]
    wrong, backends, checks = [], set(), []
    start = threading.Barrier(threads)

    def client(number: int, alias: str) -> None:
        own = connections[alias]
        try:
            start.wait()
            for turn in range(rounds):
                site, host = sites[(number + turn) % 2]  # each thread serves both sites in turn
                other, other_host = sites[(number + turn + 1) % 2]
                own.set_tenant(site)
                seen = [hostnames(alias)]  # autocommit: every statement its own transaction
                with transaction.atomic(using=alias):
                    seen.append(hostnames(alias))
                    own.set_tenant(other)
                    seen.append(hostnames(alias))
                    own.set_tenant(site)
                    seen.append(hostnames(alias))
                    with own.cursor() as cursor:
                        cursor.execute("SELECT pg_backend_pid()")
                        backends.add(cursor.fetchone()[0])
                expected = [[host], [host], [other_host], [host]]
                checks.append(turn)
                if seen != expected:
                    wrong.append((number, turn, seen))
        finally:
            own.close()

    with (
        pgbouncer(connection.settings_dict, pool_size=pool_size) as port,
        database_alias("pooled", through(connection.settings_dict, port, ENGINE=POOLED)),
    ):
        workers = [
            threading.Thread(target=client, args=(n, "pooled"), name=f"pooled-client-{n}")
            for n in range(threads)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(120)

    assert len(checks) == threads * rounds, "a client thread died: see the captured log"
    assert wrong == [], f"{len(wrong)} reads saw another site's rows, first: {wrong[:3]}"
    # Eight clients really shared two server connections.
    assert 1 <= len(backends) <= pool_size
