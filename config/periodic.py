"""Periodic jobs without a broker: the web process plays Celery beat for them.

With a broker, beat sends every `CELERY_BEAT_SCHEDULE` entry to the workers. Without one (the
embedded setup of `make run` and `make serve SEED=…` on one machine) nothing would: scheduled
pages would never go live (I4), the library's outbox would never catch up after the search
cluster was down, a broadcast's start and end would not purge cached pages, copies whose
delivery failed would never be retried. `config/wsgi.py` starts one daemon thread per web
process that runs each entry in-process when it is due — the same tasks, the same schedule.

Several processes (gunicorn workers) run the thread: a PostgreSQL advisory lock per entry
lets one process run an entry at a time; the others skip that turn.
"""

import logging
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection

from config.celery import app
from config.database import POOLED_ENGINE

log = logging.getLogger("jiyue.periodic")
LOCK_SPACE = 730_301  # first key of the advisory locks: "a periodic entry is running"
FIRST_RUN_DELAY = 5.0  # let the server answer its first requests before the first sweep


def seconds(schedule) -> float | None:
    if isinstance(schedule, int | float):
        return float(schedule)
    if isinstance(schedule, timedelta):
        return schedule.total_seconds()
    return None  # crontab and the like: only a real beat runs those


def run_entry(name: str, entry: dict) -> bool:
    """Run one entry's task here and now unless another process is running it. True if ran."""

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, hashtext(%s))", [LOCK_SPACE, name])
        if not cursor.fetchone()[0]:
            return False
        try:
            app.tasks[entry["task"]].apply(
                args=entry.get("args", ()), kwargs=entry.get("kwargs", {}), throw=True
            )
        finally:
            # A task may close the connection (provisioning a spare schema does, to leave the
            # catalog caches it built behind); the lock went with that session.
            if connection.connection is not None and not connection.connection.closed:
                cursor.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))", [LOCK_SPACE, name])
    return True


def due_entries(schedule: dict | None = None) -> dict:
    """The entries this process can run itself: {name: (entry, seconds between runs)}. An
    entry whose task is unknown, or whose schedule only a real beat understands, is logged."""

    # A web process (or a management command) has imported no tasks module: find them now (a
    # worker does at start), so each entry's task is known by name.
    app.autodiscover_tasks(force=True)
    found = {}
    for name, entry in (settings.CELERY_BEAT_SCHEDULE if schedule is None else schedule).items():
        every = seconds(entry["schedule"])
        if entry["task"] not in app.tasks:
            log.error("periodic entry %s: no task named %s", name, entry["task"])
            continue
        if every is None:
            log.error(
                "periodic entry %s: only a Celery beat can run schedule %r", name, entry["schedule"]
            )
            continue
        found[name] = (entry, every)
    return found


class Runner(threading.Thread):
    def __init__(
        self, schedule: dict | None = None, tick: float = 1.0, first_delay: float = FIRST_RUN_DELAY
    ):
        super().__init__(name="periodic-jobs", daemon=True)
        self.entries = due_entries(schedule)
        self.tick = tick
        start = time.monotonic() + first_delay
        self.due = dict.fromkeys(self.entries, start)
        self.runs = dict.fromkeys(self.entries, 0)
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.wait(self.tick):
            now = time.monotonic()
            for name, (entry, every) in self.entries.items():
                if now < self.due[name] or self.stopped.is_set():
                    continue
                self.due[name] = now + every
                close_old_connections()
                try:
                    if run_entry(name, entry):
                        self.runs[name] += 1
                except Exception:
                    log.exception("periodic entry %s failed; it runs again in %.0f s", name, every)
                finally:
                    connection.close()

    def stop(self):
        self.stopped.set()


_runner = None


def start_in_process() -> Runner | None:
    """Start the runner once per process, unless a broker (and its beat) does the job."""
    global _runner
    if settings.CELERY_BROKER_URL or _runner is not None:
        return _runner
    if settings.DATABASES["default"]["ENGINE"] == POOLED_ENGINE:
        # Its advisory locks are session locks: through a transaction-pooling PgBouncer the
        # unlock reaches another server connection and the lock stays held for good.
        log.error(
            "periodic jobs not started: DATABASE_POOLING=transaction needs Celery beat "
            "(set CELERY_BROKER_URL and run one beat, deploy/README.md)"
        )
        return None
    _runner = Runner()
    _runner.start()
    return _runner
