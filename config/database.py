"""Where the database is: a server named by DATABASE_URL, or PostgreSQL embedded under var/.

The embedded server (pgserver) lets `make run` and `make test` work on a machine with
nothing installed. Every process that loads settings takes a handle on it; pgserver stops
the server when the last handle goes away.
"""

import json
import os
import warnings
from pathlib import Path

import dj_database_url

ENGINE = "django_tenants.postgresql_backend"
# Behind a transaction-pooling PgBouncer (DATABASE_POOLING=transaction): the search_path
# travels with each transaction (see the backend's docstring).
POOLED_ENGINE = "config.pgbouncer_backend"


def database_settings(base_dir: Path, name: str = "jiyue") -> dict:
    url = os.environ.get("DATABASE_URL")
    if url:
        config = dj_database_url.parse(url, conn_max_age=60)
        config["ENGINE"] = ENGINE
        pooling = os.environ.get("DATABASE_POOLING", "")
        if pooling not in ("", "session", "transaction"):
            raise ValueError(
                f"DATABASE_POOLING={pooling!r}: use 'transaction' behind a transaction-pooling "
                "PgBouncer, or leave it unset (a direct connection or session pooling)"
            )
        if pooling == "transaction":
            config["ENGINE"] = POOLED_ENGINE
            # A named cursor outlives the transaction PgBouncer lent its server connection for.
            config["DISABLE_SERVER_SIDE_CURSORS"] = True
        if name != "jiyue":  # a separate database for benchmarks, beside the configured one
            config["NAME"] = f"{config['NAME']}_{name.removeprefix('jiyue_')}"
        return config
    return {
        "ENGINE": ENGINE,
        "NAME": name,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": str(start_embedded(base_dir / "var" / "pgdata", name)),
        "CONN_MAX_AGE": 60,
    }


def replica_settings(primary: dict) -> dict | None:
    """The streaming replica named by DATABASE_REPLICA_URL (public reads: config.replica)."""
    url = os.environ.get("DATABASE_REPLICA_URL")
    if not url:
        return None
    config = dj_database_url.parse(url, conn_max_age=60)
    config["ENGINE"] = primary["ENGINE"]
    config["DISABLE_SERVER_SIDE_CURSORS"] = primary.get("DISABLE_SERVER_SIDE_CURSORS", False)
    # Tests read the replica's rows through the primary's test database.
    config["TEST"] = {"MIRROR": "default"}
    return config


def start_embedded(pgdata: Path, name: str = "jiyue") -> Path:
    """Start (or join) the embedded PostgreSQL and make sure our database exists."""
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    _repair_handle_list(pgdata)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pgserver warns when XDG_RUNTIME_DIR is unset
        import pgserver  # only where the embedded server runs: with DATABASE_URL it need not

        server = pgserver.get_server(pgdata)
    socket_dir = Path(server.get_postmaster_info().socket_dir)
    _ensure_database(server, name)
    return socket_dir


def _repair_handle_list(pgdata: Path) -> None:
    """pgserver keeps the pids using the server in a JSON file it rewrites in place; a process
    killed mid-write (Ctrl-C at the wrong moment) leaves it empty, and then no process can
    start. An unreadable list is reset: the server then stays up until its next clean stop."""
    handles = pgdata / ".handle_pids.json"
    try:
        if handles.exists():
            json.loads(handles.read_text())
    except ValueError:
        handles.write_text("[]")
        print(f"note: reset the embedded PostgreSQL's unreadable handle list {handles}")


def _ensure_database(server, name: str) -> None:
    marker = Path(server.pgdata) / f".jiyue-db-{name}"
    if marker.exists():
        return
    # `name` is a constant of ours (never user input), so plain interpolation is safe here.
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}';")  # noqa: S608
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{name}";')
    marker.touch()
