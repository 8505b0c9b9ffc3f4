"""Processes the deployment tests start: PgBouncer, a PostgreSQL replica, gunicorn, nginx.

Each helper is a context manager that starts its process on a free loopback port, waits
until it answers, and stops it (and removes its files) on the way out, whatever happened.
A program that is not installed skips the test with what to run (`make services`).
"""

import contextlib
import http.client
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlencode

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
    the owner of the database's socket folder if given, else `postgres` (Debian's server
    packages make it), else `pgserver` (the user the embedded server runs as under root).
    None when not root."""
    if os.geteuid() != 0:
        return None
    if owner_of and os.path.isdir(owner_of):
        return pwd.getpwuid(os.stat(owner_of).st_uid).pw_name
    for name in ("postgres", "pgserver"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name).pw_name
    return "postgres"  # neither exists: the server's start says so


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


def server_binaries(major: int) -> Path:
    """The PostgreSQL server programs of this major version (initdb, pg_ctl, pg_basebackup).

    Debian's (postgresql-<major>) if installed, else the embedded server's own (pgserver ships
    a complete PostgreSQL 16): a clean clone's `make test` runs on the embedded 16 on a
    machine whose Debian has only 15's server programs. Each candidate must be of `major`
    (pg_basebackup refuses another major) and runnable by the user the servers run as."""
    candidates = [Path(f"/usr/lib/postgresql/{major}/bin")]
    pgserver = importlib.util.find_spec("pgserver")
    if pgserver is not None and pgserver.origin:
        candidates.append(Path(pgserver.origin).parent / "pginstall" / "bin")
    seen = []
    for folder in candidates:
        found = _server_major(folder)
        if found == major:
            return folder
        seen.append(f"{folder}: {found or 'none that run'}")
    pytest.skip(
        f"no PostgreSQL {major} server programs ({'; '.join(seen)}): the replica test starts a "
        f"primary and a replica of the test database's version (apt-get install postgresql-{major})"
    )


def _server_major(folder: Path) -> int | None:
    """The major version of the `postgres` in `folder`, run as the servers' user; None if
    there is none or that user cannot run it."""
    if not (folder / "initdb").exists():
        return None
    try:
        version = as_user(unprivileged_user(), [str(folder / "postgres"), "--version"]).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    # "postgres (PostgreSQL) 16.2", "postgres (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)"
    return int(version.split(")", 1)[1].split(".")[0])


def as_user(user: str | None, command: list[str], **kwargs) -> subprocess.CompletedProcess:
    kwargs.setdefault("timeout", SERVER_COMMAND_SECONDS)
    return subprocess.run(command, user=user, check=True, capture_output=True, text=True, **kwargs)


# initdb, pg_basebackup, pg_dump, pg_restore of a test's few schemas take seconds; one that
# hangs fails its test instead of holding the run.
SERVER_COMMAND_SECONDS = 300


@contextlib.contextmanager
def _cluster(binaries: Path, data: Path, port: int, user: str | None):
    log = data.parent / f"{data.name}.log"
    as_user(
        user, [str(binaries / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60", "start"]
    )
    try:
        yield port
    finally:
        subprocess.run(
            [str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            user=user,
            capture_output=True,
            check=False,
        )


# Settings for a throwaway cluster: quick to start, nothing written twice for safety.
_THROWAWAY = (
    "listen_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{sockets}'\n"
    "wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\nmax_connections = 40\n"
    "shared_buffers = 32MB\nfsync = off\nfull_page_writes = off\nsynchronous_commit = off\n"
)


@contextlib.contextmanager
def primary_with_replica(source: dict, schemas: list[str], *, major: int, ports=(5440, 5449)):
    """A throwaway primary (initdb) holding a copy of `schemas` of the `source` database, and
    a streaming replica made from its base backup (pg_basebackup -R). Yields the two as
    Django DATABASES entries. Both clusters are stopped and removed on the way out."""
    binaries = server_binaries(major)
    user = unprivileged_user()
    with scratch_dir("jiyue-replication-", user) as folder:
        primary_port = free_port(*ports)
        as_user(user, [str(binaries / "initdb"), "-D", str(folder / "primary"), "-U", "postgres",
                       "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"])  # fmt: skip
        with open(folder / "primary" / "postgresql.conf", "a") as conf:
            conf.write(_THROWAWAY.format(port=primary_port, sockets=folder))
        with _cluster(binaries, folder / "primary", primary_port, user):
            primary = {**source, "HOST": "127.0.0.1", "PORT": str(primary_port), "NAME": "jiyue",
                       "USER": "postgres", "PASSWORD": "", "CONN_MAX_AGE": 0}  # fmt: skip
            _copy_schemas(binaries, source, primary, schemas, folder)
            replica_port = free_port(primary_port + 1, ports[1])
            as_user(user, [str(binaries / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary_port),
                           "-U", "postgres", "-D", str(folder / "replica"), "-R", "-X", "stream",
                           "-c", "fast", "--no-sync"])  # fmt: skip
            with open(folder / "replica" / "postgresql.conf", "a") as conf:
                conf.write(f"port = {replica_port}\n")
            with _cluster(binaries, folder / "replica", replica_port, user):
                yield primary, {**primary, "PORT": str(replica_port)}


def _copy_schemas(binaries: Path, source: dict, target: dict, schemas: list[str], folder: Path):
    def libpq(db):
        return ["-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432), "-U", db["USER"]]

    env = {**os.environ, "PGPASSWORD": source["PASSWORD"] or ""}
    subprocess.run(
        [str(binaries / "createdb"), *libpq(target), target["NAME"]],
        check=True, timeout=SERVER_COMMAND_SECONDS,
    )  # fmt: skip
    # pg_dump -n public recreates the public schema itself.
    subprocess.run(
        [str(binaries / "psql"), *libpq(target), "-d", target["NAME"], "-qc", "DROP SCHEMA public"],
        check=True,
        timeout=SERVER_COMMAND_SECONDS,
    )
    dump = folder / "copy.dump"
    schema_args = [arg for schema in schemas for arg in ("-n", schema)]
    subprocess.run(
        [str(binaries / "pg_dump"), *libpq(source), "-d", source["NAME"], "-Fc", "-Z0",
         "-f", str(dump), *schema_args],
        check=True, env=env, timeout=SERVER_COMMAND_SECONDS,
    )  # fmt: skip
    subprocess.run(
        [str(binaries / "pg_restore"), *libpq(target), "-d", target["NAME"], "--no-owner",
         "--exit-on-error", str(dump)],
        check=True, capture_output=True, timeout=SERVER_COMMAND_SECONDS,
    )  # fmt: skip


def database_url(db: dict) -> str:
    """The URL of the test database for a process of its own. The embedded server answers on a
    Unix socket, whose directory goes in the host part percent-encoded (dj-database-url's form)."""
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or "5432"
    if host.startswith("/"):
        return f"postgres://{db['USER']}@{quote(host, safe='')}/{db['NAME']}"
    return f"postgres://{db['USER']}@{host}:{port}/{db['NAME']}"


BASE_DIR = Path(__file__).resolve().parent.parent


def collected_static(env: dict) -> None:
    """config.settings.serve serves only collected files (hashed names): collect them once."""
    if not (BASE_DIR / "var" / "static" / "staticfiles.json").exists():
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=BASE_DIR, env=env, check=True, capture_output=True, timeout=300,
        )  # fmt: skip


def serve_environment(database_url: str, **extra: str) -> dict:
    """The environment of a production-like web process (config.settings.serve)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "PYTEST"))}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return {**env, "DJANGO_SETTINGS_MODULE": "config.settings.serve", "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": "", "REDIS_URL": "", **extra}  # fmt: skip


@contextlib.contextmanager
def gunicorn(port: int, env: dict, *, log: Path, workers: int = 1, threads: int = 2):
    """`gunicorn -c deploy/gunicorn.conf.py` as `make serve` runs it, on 127.0.0.1:port."""
    collected_static(env)
    env = {**env, "BIND": f"127.0.0.1:{port}", "PORT": str(port),
           "WEB_CONCURRENCY": str(workers), "GUNICORN_THREADS": str(threads)}  # fmt: skip
    with open(log, "ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"],
            cwd=BASE_DIR, env=env, start_new_session=True, stdout=output, stderr=output,
        )  # fmt: skip
    try:
        wait_for_port(port, process, f"gunicorn on {port} (log: {log})", timeout=120)
        yield process
    finally:
        stop(process, signal.SIGINT)  # quick shutdown: no graceful wait for keep-alive clients


def fetch(port: int, host: str, path: str, headers: dict | None = None):
    """GET http://host{path} from the server on 127.0.0.1:port → (status, headers, text)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": host, **(headers or {})})
        response = conn.getresponse()
        return response.status, response.headers, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def post(port: int, host: str, path: str, form: dict, cookies: dict):
    """POST a form to http://host{path} with these cookies → (status, headers)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(
            "POST",
            path,
            body=urlencode(form),
            headers={
                "Host": host,
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
                "Referer": f"http://{host}{path}",
            },
        )
        response = conn.getresponse()
        response.read()
        return response.status, response.headers
    finally:
        conn.close()


@contextlib.contextmanager
def committed_sites(django_db_blocker):
    """alpha and beta as committed at the start of the session, database access unblocked.
    (Not django_db: these tests read committed rows from other processes and connections, and
    a Django test case refuses connections on database aliases it was not declared with.)"""
    from django.db import connection

    from tenants import services

    with django_db_blocker.unblock():
        yield services.get_site("alpha"), services.get_site("beta")
        connection.set_schema_to_public()


@contextlib.contextmanager
def nginx(port: int, nodes: list[int], folder: Path):
    """nginx with deploy/nginx/jiyue.conf, its ADAPT lines adapted to this machine: listening
    on 127.0.0.1:port, the web nodes on the loopback ports given."""
    binary = program("nginx")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "upstream.conf").write_text(
        "".join(f"server 127.0.0.1:{node} max_fails=1 fail_timeout=10s;\n" for node in nodes)
    )
    site = (BASE_DIR / "deploy" / "nginx" / "jiyue.conf").read_text()
    for deployed, here in [
        ("/etc/nginx/jiyue/upstream.conf", str(folder / "upstream.conf")),
        ("/var/cache/nginx/jiyue", str(folder / "cache")),
        ("/srv/jiyue/var/static/", f"{BASE_DIR}/var/static/"),
        ("listen 80 default_server;", f"listen 127.0.0.1:{port} default_server;"),
    ]:
        assert deployed in site, (
            f"deploy/nginx/jiyue.conf no longer has {deployed!r}: adapt the test"
        )
        site = site.replace(deployed, here)
    (folder / "jiyue.conf").write_text(site)
    temp = "".join(
        f"{kind}_temp_path {folder}/{kind}_temp;\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (folder / "nginx.conf").write_text(
        # As root nginx's workers would run as nobody, who cannot enter the test's folders.
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"daemon off;\nworker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log;\n"
        "events { worker_connections 256; }\n"
        f"http {{\naccess_log {folder}/access.log;\n{temp}include {folder}/jiyue.conf;\n}}\n"
    )
    process = subprocess.Popen(
        [binary, "-e", str(folder / "error.log"), "-p", str(folder), "-c", str(folder / "nginx.conf")],
        start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        wait_for_port(port, process, f"nginx (log: {folder}/error.log)")
        yield process
    finally:
        stop(process, signal.SIGQUIT)
