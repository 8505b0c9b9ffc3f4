"""Public reads from a streaming replica (DATABASE_REPLICA_URL); everything else on the primary.

With a replica configured, an anonymous GET or HEAD outside the admin reads from it: pages,
column listings, feeds, searches run through the ORM. The primary keeps writes (every
write, whatever the request), the admin, signed-in people, reads inside a transaction,
tasks and management commands. Without DATABASE_REPLICA_URL nothing here is installed.

Fresh after publish. A replica replays the primary's WAL a little later (the lag). Publishing
purges the page from the page cache; if the next visitor's render read the replica before it
had replayed the publish, the old page would be cached again for PAGECACHE_TIMEOUT. So every
purge, and every write request, records the primary's WAL position for its site
(`remember_write`) after commit, in a table on the primary (models.WritePosition: never culled
nor evicted, unlike a cache). A public request reads from
the replica only once the replica has replayed that position (`caught_up`); until then, for
the few milliseconds of a normal lag, the site's requests read from the primary. A request
that follows a write (a form's result page) therefore sees the write, and a cached page is
never older than the write that purged it. A replica that cannot be reached sends the reads
to the primary.
"""

import contextvars
import logging

from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction
from django_tenants.utils import get_public_schema_name

log = logging.getLogger("jiyue.replica")

REPLICA = "replica"
ALL_SITES = "*"  # the key of a write every site shows (a city-wide broadcast)
_public_read = contextvars.ContextVar("jiyue_public_read", default=False)
_replayed = 0  # the furthest WAL position this process has seen the replica replay


def configured() -> bool:
    return REPLICA in settings.DATABASES


def lsn(text: str | None) -> int:
    """A pg_lsn ('16/B374D848') as a number, for comparison; 0 for none."""
    if not text:
        return 0
    high, low = text.split("/")
    return (int(high, 16) << 32) + int(low, 16)


# One statement, atomic on its own: the row lock orders two writers of the same site, and
# GREATEST keeps the furthest position whichever stores last (the one that read its position
# first may store it last). The table is the public schema's, whatever site is current.
RECORD = (
    "INSERT INTO {table} AS recorded (site, position) VALUES (%s, %s::pg_lsn) "
    "ON CONFLICT (site) DO UPDATE SET position = GREATEST(recorded.position, EXCLUDED.position)"
)
WANTED = "SELECT max(position)::text FROM {table} WHERE site IN (%s, %s)"


def _sql(statement: str) -> str:
    from .models import WritePosition  # not at import time: this module is the app's package

    table = WritePosition._meta.db_table
    return statement.format(table=f"{get_public_schema_name()}.{table}")


def remember_write(schema: str) -> None:
    """After a commit on the primary: reads of `schema` (ALL_SITES: every site) must not come
    from the replica before it has replayed this point."""
    if not configured():
        return
    try:
        # atomic: a savepoint if a caller's transaction is open, which a failure here must not
        # break.
        with transaction.atomic(using="default"), connections["default"].cursor() as cursor:
            position = primary_position(cursor)
            cursor.execute(_sql(RECORD), [schema, position])
    except Exception:  # the write has committed: never turn it into an error page
        log.exception("could not record the write position of %s; reads may lag", schema)


def primary_position(cursor) -> str:
    """Where the primary's WAL is now: every commit so far is before it."""
    cursor.execute("SELECT pg_current_wal_lsn()::text")
    return cursor.fetchone()[0]


def written_position(schema: str) -> int:
    """The furthest write recorded for `schema`, or for every site; 0 if none."""
    with connections["default"].cursor() as cursor:
        cursor.execute(_sql(WANTED), [schema, ALL_SITES])
        return lsn(cursor.fetchone()[0])


def caught_up(schema: str) -> bool:
    """Has the replica replayed every write recorded for `schema`? False if unreachable."""
    global _replayed
    wanted = written_position(schema)
    if wanted <= _replayed:
        return True
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn()::text")
            _replayed = max(_replayed, lsn(cursor.fetchone()[0]))
    except DatabaseError:
        log.warning("replica unreachable: public reads go to the primary", exc_info=True)
        connections[REPLICA].close()
        return False
    return wanted <= _replayed


class PrimaryReplicaRouter:
    """Reads of a public request to the replica, on the site the request is on."""

    def db_for_read(self, model, **hints):
        if not _public_read.get() or connection.in_atomic_block:
            return None  # a transaction on the primary reads what it has written
        replica = connections[REPLICA]
        # Follow the primary connection's site, also inside schema_context() blocks.
        if (replica.schema_name, replica.include_public_schema) != (
            connection.schema_name,
            connection.include_public_schema,
        ):
            replica.set_tenant(connection.tenant, connection.include_public_schema)
        return REPLICA

    def db_for_write(self, model, **hints):
        # Explicit: without an answer Django writes an object back where it was read from.
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return {obj1._state.db, obj2._state.db} <= {"default", REPLICA} or None

    def allow_migrate(self, db, app_label, **hints):
        return False if db == REPLICA else None


class ReplicaReadMiddleware:
    """After the site is chosen (tenants.middleware.WebsiteMiddleware): lets the router send
    an anonymous request's reads to the replica, once it has the site's last write."""

    SAFE = frozenset({"GET", "HEAD"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        schema = connection.schema_name
        if request.method not in self.SAFE:
            response = self.get_response(request)
            remember_write(schema)  # after the view's transaction: the next reads see it
            return response
        if not self.public(request) or not caught_up(schema):
            return self.get_response(request)
        token = _public_read.set(True)
        try:
            return self.get_response(request)
        finally:
            _public_read.reset(token)

    @staticmethod
    def public(request) -> bool:
        if connection.schema_name == get_public_schema_name():
            return False  # the operators' console
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            return False  # signed in (or was): an editor sees what they just saved
        return not request.path.startswith(("/admin/", "/documents/"))
