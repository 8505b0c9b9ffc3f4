"""Sending tasks the one way: after commit, in the site's schema; and sending them again."""

import logging

from django.db import transaction
from django_tenants.utils import schema_context

log = logging.getLogger("jiyue.tasks")


def enqueue(task, *args, schema: str, recoverable: bool = False, **kwargs):
    """Send `task` for site `schema` once the current transaction commits.

    recoverable=True is for callers that keep a durable record a sweep re-sends (the library's
    outbox): a broker that cannot be reached, or an eager task that fails, is logged instead of
    raised into a request whose transaction already committed, and nothing waits on retries.
    """

    def send():
        with schema_context(schema):
            if not recoverable:
                task.apply_async(args=args, kwargs=kwargs)
                return
            try:
                if task.app.conf.task_always_eager:
                    task.apply_async(args=args, kwargs=kwargs)
                    return
                # One connection attempt and no retry loop: kombu would otherwise keep trying
                # for CELERY_BROKER_CONNECTION_TIMEOUT seconds while the editor waits.
                options = {**(task.app.conf.broker_transport_options or {}), "max_retries": 0}
                with task.app.connection_for_write(transport_options=options) as connection:
                    task.apply_async(args=args, kwargs=kwargs, retry=False, connection=connection)
            except Exception:
                log.warning(
                    "could not run or send %s for %s; its record waits for the sweep",
                    task.name,
                    schema,
                    exc_info=True,
                )

    transaction.on_commit(send)


def hand_on(task, rows, *, schema, args) -> int:
    """The sweeps' loop (the library's outbox and consumer steps, syndication's deliveries):
    each waiting row's task once more, in the row's site schema. With no broker it runs here
    and now, and a failure (recorded on the row by the task) moves on to the next row; with a
    broker it is sent, and the first failure to send stops the sweep (the broker is still down:
    the next sweep tries again). Returns how many rows were handed on."""
    eager = task.app.conf.task_always_eager
    handed_on = 0
    for row in rows:
        with schema_context(schema(row)):
            if eager:
                try:
                    task.apply(args=args(row), throw=True)
                except Exception:
                    log.warning(
                        "%s failed in the sweep for %s", task.name, schema(row), exc_info=True
                    )
                    continue
            else:
                try:
                    task.apply_async(args=args(row), retry=False)
                except Exception:
                    log.warning(
                        "sweep: broker unreachable, %s %s wait for the next sweep",
                        len(rows) - handed_on,
                        task.name,
                    )
                    break
        handed_on += 1
    return handed_on
