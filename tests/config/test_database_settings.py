"""What DATABASE_POOLING and DATABASE_REPLICA_URL change in the database settings, and that
nothing changes without them."""

from pathlib import Path

import pytest
from django.conf import settings

from config import database, replica

URL = "postgres://jiyue@db.example:5432/jiyue"


def test_without_a_replica_every_read_stays_on_the_one_database():
    assert set(settings.DATABASES) == {"default"}
    assert settings.DATABASE_ROUTERS == ("django_tenants.routers.TenantSyncRouter",)
    assert "config.replica.ReplicaReadMiddleware" not in settings.MIDDLEWARE
    assert not replica.configured()


def test_transaction_pooling_selects_the_backend_that_sends_the_site_with_each_transaction(
    monkeypatch,
):
    monkeypatch.setenv("DATABASE_URL", URL)
    monkeypatch.setenv("DATABASE_POOLING", "transaction")
    config = database.database_settings(Path("/nonexistent"))
    assert config["ENGINE"] == "config.pgbouncer_backend"
    assert config["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert "server_side_binding" not in config.get(
        "OPTIONS", {}
    )  # client-side binding: no prepares

    monkeypatch.delenv("DATABASE_POOLING")
    assert database.database_settings(Path("/nonexistent"))["ENGINE"] == database.ENGINE


def test_an_unknown_pooling_mode_is_refused_with_what_to_set(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", URL)
    monkeypatch.setenv("DATABASE_POOLING", "statement")
    with pytest.raises(ValueError, match="use 'transaction'"):
        database.database_settings(Path("/nonexistent"))


def test_the_replica_is_a_second_alias_with_the_primarys_backend_that_tests_mirror(monkeypatch):
    primary = {"ENGINE": database.POOLED_ENGINE, "DISABLE_SERVER_SIDE_CURSORS": True}
    assert database.replica_settings(primary) is None
    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgres://jiyue@replica.example:5432/jiyue")
    config = database.replica_settings(primary)
    assert config["HOST"] == "replica.example"
    assert config["ENGINE"] == database.POOLED_ENGINE
    assert config["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert config["TEST"] == {"MIRROR": "default"}


def test_write_positions_compare_as_numbers():
    assert replica.lsn("0/16B3748") < replica.lsn("0/16B3750") < replica.lsn("1/0")
    assert replica.lsn(None) == 0
