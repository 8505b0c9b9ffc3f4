"""Processes the deployment tests start: PgBouncer, a PostgreSQL replica, gunicorn, nginx.

Each helper is a context manager that starts its process on a free loopback port, waits
until it answers, and stops it (and removes its files) on the way out, whatever happened.
A program that is not installed skips the test with what to run (`make services`).
"""

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest


def program(name: str, *extra_dirs: str) -> str:
    """The path of an installed program, or skip the test saying how to install it."""
    found = shutil.which(
        name, path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", *extra_dirs])
    )
    if found is None:
        pytest.skip(
            f"{name} is not installed: `make services` installs it (Debian package, needs root + apt)"
        )
    return found


def free_port(first: int, last: int) -> int:
    """A loopback port nothing listens on, from the range given (each test its own range)."""
    for port in range(first, last + 1):
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {first}–{last}: stop what holds them")


def wait_for_port(port: int, process: subprocess.Popen, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode} before answering")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not answer on 127.0.0.1:{port} within {timeout} s")


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
    """Stop a process and everything in its process group (gunicorn's workers)."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


def unprivileged_user(owner_of: str | None = None) -> str | None:
    """The user to run a server as when we are root (PgBouncer and PostgreSQL refuse root):
    the owner of the database's socket folder if given, else `postgres`. None when not root."""
    if os.geteuid() != 0:
        return None
    if owner_of and os.path.isdir(owner_of):
        return pwd.getpwuid(os.stat(owner_of).st_uid).pw_name
    return "postgres"


@contextlib.contextmanager
def scratch_dir(prefix: str, user: str | None):
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        if user is not None:
            shutil.chown(path, user)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def pgbouncer(
    database: dict, *, pool_size: int, pool_mode: str = "transaction", ports=(6440, 6449)
):
    """PgBouncer in front of the database named by a Django DATABASES entry; yields its port.

    `pool_size` server connections per database and user, shared by every client: with a
    size smaller than the number of clients, clients take turns on the same server
    connections, which is what isolation has to survive."""
    binary = program("pgbouncer")
    host = database["HOST"] or "127.0.0.1"
    user = unprivileged_user(host if host.startswith("/") else None)
    port = free_port(*ports)
    with scratch_dir("jiyue-pgbouncer-", user) as folder:
        (folder / "userlist.txt").write_text(
            f'"{database["USER"]}" "{database["PASSWORD"] or ""}"\n'
        )
        (folder / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"* = host={host} port={database['PORT'] or 5432}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {folder}/userlist.txt\n"
            f"pool_mode = {pool_mode}\ndefault_pool_size = {pool_size}\nmax_client_conn = 500\n"
            # Session-pooling resets with DISCARD ALL; in transaction mode nothing is reset
            # between clients (server_reset_query_always = 0), which is what the test needs.
            f"logfile = {folder}/pgbouncer.log\npidfile = {folder}/pgbouncer.pid\n"
            "ignore_startup_parameters = extra_float_digits\n"
        )
        process = subprocess.Popen(
            [binary, str(folder / "pgbouncer.ini")],
            user=user,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            wait_for_port(port, process, "pgbouncer")
            yield port
        finally:
            stop(process, signal.SIGINT)


def through(database: dict, port: int, **changes) -> dict:
    """A copy of a DATABASES entry that connects through the pooler on `port`."""
    return {**database, "HOST": "127.0.0.1", "PORT": str(port), "CONN_MAX_AGE": 0, **changes}
