"""The test database: built from migrations once, then copied for every pytest process.

Building it (the shared migrations, every tenant migration for the site template schema, the
sites the tests share) took 1.5-5 minutes a process on the loaded 2-core machine, and
`make test` paid it three times: once in each xdist worker, again in the browser session.
PostgreSQL copies a built database in under a second (`CREATE DATABASE … TEMPLATE`), so the
first process to need it builds a template database and every process, this one included,
starts from a copy. (A PostgreSQL template database, not the sites' template schema
TENANT_BASE_SCHEMA, which is inside it.)

A template is named by a digest of what shapes its content: the project's code and data
files, the build (the root conftest and the factories it uses) and the installed packages
(their migrations). A template built from other code is never used: the current one is
built, the stale ones are dropped.
"""

import hashlib
import importlib.metadata
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.test.utils import setup_databases

ROOT = Path(__file__).resolve().parent.parent
PROJECT_FOLDERS = (
    "config",
    "shared_blocks",
    "security",
    "sites",
    "tenants",
    "federation",
    "pagecache",
    "locale",
)
BUILD_FILES = ("tests/conftest.py", "tests/factories.py", "tests/template_database.py")
# Read by the web pages only, never written to a database: a change here keeps the template.
NOT_DATABASE_INPUT = {"templates", "static", "__pycache__"}
copied_from: str | None = None  # the template this process's test database is a copy of


def content_key() -> str:
    """Digest of everything the built database depends on (12 hex digits)."""
    digest = hashlib.sha256()
    files = [
        path
        for folder in PROJECT_FOLDERS
        for path in (ROOT / folder).rglob("*")
        if path.is_file()
        and path.suffix != ".md"
        and not NOT_DATABASE_INPUT.intersection(path.relative_to(ROOT).parts)
    ]
    for path in sorted([*files, *(ROOT / name for name in BUILD_FILES)]):
        digest.update(f"{path.relative_to(ROOT)}\0".encode())
        digest.update(path.read_bytes())
    packages = {f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions()}
    digest.update("\n".join(sorted(packages)).encode())
    return digest.hexdigest()[:12]


def setup_test_database(build: Callable[[], None]) -> list:
    """Give this process its own copy of the built test database; build the template first
    if no current one exists (`build` fills a freshly migrated database). Returns the old
    configuration for django.test.utils.teardown_databases, as setup_databases does."""
    connection = connections["default"]
    prefix = f"test_{connection.settings_dict['NAME']}_template_"
    template = prefix + content_key()
    with connection._nodb_cursor() as cursor:
        # One builder at a time across processes (xdist workers, other sessions on this
        # server); a session lock is released by the server if this process dies.
        cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [prefix])
        try:
            if not _exists(cursor, template):
                _build(template, build, cursor)
                _drop_stale(cursor, prefix, keep=template)
            global copied_from  # noqa: PLW0603 (one per process, like the test database)
            copied_from = template
            return _copy(template, cursor)
        finally:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [prefix])


def _build(template: str, build: Callable[[], None], cursor) -> None:
    connection = connections["default"]
    name, test_name = connection.settings_dict["NAME"], connection.settings_dict["TEST"]["NAME"]
    # Built under another name and renamed when whole: a build that fails halfway leaves no
    # template behind, and the next one starts over (create_test_db drops the remains).
    connection.settings_dict["TEST"]["NAME"] = f"{template}_building"
    try:
        setup_databases(verbosity=0, interactive=False, aliases={"default"}, serialized_aliases=())
        build()
    finally:
        connections.close_all()  # TEMPLATE needs no one connected to the source
        connection.settings_dict["TEST"]["NAME"] = test_name
        connection.settings_dict["NAME"] = settings.DATABASES["default"]["NAME"] = name
    cursor.execute(f'ALTER DATABASE "{template}_building" RENAME TO "{template}"')
    # Nobody connects to it afterwards, not even autovacuum, so a copy never waits on it.
    cursor.execute(f'ALTER DATABASE "{template}" WITH ALLOW_CONNECTIONS false')


def _copy(template: str, cursor) -> list:
    """What create_test_db does, with a copy in place of the migrations."""
    connection = connections["default"]
    name, test_name = connection.settings_dict["NAME"], connection.creation._get_test_db_name()
    cursor.execute(f'DROP DATABASE IF EXISTS "{test_name}"')  # a crashed run's leftover
    cursor.execute(f'CREATE DATABASE "{test_name}" TEMPLATE "{template}"')
    connection.close()
    connection.settings_dict["NAME"] = settings.DATABASES["default"]["NAME"] = test_name
    for alias in connections:  # a replica configured as the primary's test mirror
        if connections[alias].settings_dict["TEST"].get("MIRROR") == "default":
            connections[alias].creation.set_as_test_mirror(connection.settings_dict)
    connection.ensure_connection()
    return [(connection, name, True)]


def _exists(cursor, database: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
    return cursor.fetchone() is not None


def _drop_stale(cursor, prefix: str, keep: str) -> None:
    """Templates built from older code (each a few tens of MB) go once a new one exists."""
    cursor.execute(
        "SELECT datname FROM pg_database WHERE left(datname, length(%s)) = %s AND datname <> %s",
        [prefix, prefix, keep],
    )
    for (stale,) in cursor.fetchall():
        cursor.execute(f'DROP DATABASE IF EXISTS "{stale}"')
