"""Spare schemas: copies of the site template made ahead of time, renamed into new sites.

Cloning the template is most of a new site's time: ~790 catalog relations (tables, indexes,
constraints, TOAST) and ~2,900 locks in one transaction, in the operator's request.
`ALTER SCHEMA … RENAME` costs the same whatever the catalog holds, so provisioning
renames a spare made earlier, off the operator's path, by `replenish()`: from
`setup_platform` and the periodic job `tenants.replenish_spares` (every 60 s; `manage.py sweep`
runs it too). With no spare ready (a burst of new sites, a fresh database) the
site is cloned as before.

A spare is only ever the template's copy: no site data, no registry row, never served, never
migrated. One whose migrations are behind the code (made before a deploy) is never used:
`replenish()` drops it and clones a current one.
"""

import logging
import secrets
import time

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.backends.postgresql.psycopg_any import sql

from .cloning import CloneUnsupported, clone_script
from .migrating import schemas_behind

log = logging.getLogger("jiyue.tenants")

PREFIX = "spare_"
# Advisory lock keys: one replenisher at a time (two would both see the pool short and
# overfill it); and (class, hash of the spare's name) held by whoever takes or drops a spare.
_REPLENISH_LOCK = 0x6A697975  # "jiyu"
_SPARE_LOCK_CLASS = 0x6A79


def pool_size() -> int:
    return max(0, int(getattr(settings, "TENANT_SPARE_SCHEMAS", 0)))


def spare_schemas() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE starts_with(nspname, %s) ORDER BY nspname",
            [PREFIX],
        )
        return [name for (name,) in cursor.fetchall()]


def take(schema_name: str) -> bool:
    """Rename a current spare to `schema_name`, in the caller's transaction (a rollback puts
    the spare back). False when none is ready: the caller clones."""
    spares = spare_schemas()
    if not spares:
        return False
    stale = set(schemas_behind(spares))
    with connection.cursor() as cursor:
        for spare in spares:
            if spare in stale:
                continue
            # Two provisionings at once take different spares: each holds the one it renames
            # until its transaction ends, and skips one another holds.
            cursor.execute(
                "SELECT pg_try_advisory_xact_lock(%s, hashtext(%s))", [_SPARE_LOCK_CLASS, spare]
            )
            if not cursor.fetchone()[0]:
                continue
            cursor.execute(
                sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(
                    sql.Identifier(spare), sql.Identifier(schema_name)
                )
            )
            return True
    return False


def replenish(size: int | None = None) -> dict:
    """Drop stale spares and clone the template until `size` (TENANT_SPARE_SCHEMAS) are
    ready. Returns what it did; does nothing while another process replenishes."""
    size = pool_size() if size is None else size
    done = {"dropped": 0, "made": 0, "seconds": 0.0}
    template = settings.TENANT_BASE_SCHEMA
    started = time.perf_counter()
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_REPLENISH_LOCK])
        if not cursor.fetchone()[0]:
            return done
    try:
        if schemas_behind([template]):
            return done  # spares of a template behind the code would be dropped unused
        spares = spare_schemas()
        for spare in schemas_behind(spares):
            if _drop(spare):
                spares.remove(spare)
                done["dropped"] += 1
        for _ in range(size - len(spares)):
            name = f"{PREFIX}{secrets.token_hex(6)}"
            try:
                with transaction.atomic():
                    script = clone_script(template, name)
                    with connection.cursor() as cursor:
                        cursor.execute(script)
            except CloneUnsupported as exc:
                log.warning("no spare schemas: the template cannot be copied here (%s)", exc)
                break
            except OperationalError as exc:
                # The server's lock table is shared by every transaction on it, and a clone
                # holds ~2,900 locks: when it is full, new sites are cloned as before and the
                # next refill tries again (docs/operations.md: max_locks_per_transaction).
                log.warning("could not make a spare schema now (%s); the next refill retries", exc)
                break
            done["made"] += 1
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_REPLENISH_LOCK])
        connection.set_schema_to_public()
        if done["made"]:
            leave_catalog_caches_behind()
    done["seconds"] = time.perf_counter() - started
    return done


def _drop(spare: str) -> bool:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_try_advisory_xact_lock(%s, hashtext(%s))", [_SPARE_LOCK_CLASS, spare]
        )
        if not cursor.fetchone()[0]:
            return False  # being taken right now
        cursor.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(spare)))
    return True


def leave_catalog_caches_behind() -> None:
    """Close the connection after making a schema, unless a transaction is still open.

    A PostgreSQL backend keeps every relation it created in its relation and catalog caches
    for as long as it lives, and later transactions walk those caches (at the end of each
    transaction and savepoint, and in full whenever the shared invalidation queue overruns,
    which a clone's thousands of catalog changes cause). Measured in bench CPU time: the
    backend's time for a clone grew from 0.57 s at 40 sites to 1.40 s at 76 sites on one
    long-lived connection, and was 0.49 s at 90 sites on a new one. Reconnecting costs a few
    milliseconds.
    """
    if not connection.in_atomic_block:
        connection.close()
