"""Scheduled publishing and expiry without anyone starting anything (I4).

With a Celery broker configured, beat sends `disclosure.publish_scheduled_all_sites` every
minute (CELERY_BEAT_SCHEDULE). With none (the embedded setup), the web process runs the same
sweep in a daemon thread, started by config/wsgi.py — which `runserver` and gunicorn both load.
Several processes may run the thread: a PostgreSQL advisory lock lets one sweep at a time.
"""

import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connection

from . import services

log = logging.getLogger("jiyue.disclosure")
SWEEP_LOCK = 730_301  # pg advisory lock key: "the scheduled-publishing sweep"


def sweep_once() -> bool:
    """Run one sweep unless another process is running one. True if this one ran."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [SWEEP_LOCK])
        if not cursor.fetchone()[0]:
            return False
        try:
            services.publish_scheduled_everywhere()
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [SWEEP_LOCK])
    return True


class ScheduledPublishingRunner(threading.Thread):
    def __init__(self, interval: float):
        super().__init__(name="scheduled-publishing", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()
        self.sweeps = 0

    def run(self):
        while not self.stopped.wait(self.interval):
            close_old_connections()
            try:
                if sweep_once():
                    self.sweeps += 1
            except Exception:
                log.exception("scheduled publishing sweep failed")
            finally:
                connection.close()

    def stop(self):
        self.stopped.set()


_runner = None


def start_in_process(interval: float | None = None):
    """Start the in-process runner once per process, unless a broker (beat) does the job."""
    global _runner
    if settings.CELERY_BROKER_URL or _runner is not None:
        return _runner
    _runner = ScheduledPublishingRunner(interval or settings.SCHEDULED_PUBLISHING_INTERVAL)
    _runner.start()
    return _runner
