"""A Celery worker that kills itself with SIGKILL at one step boundary of the publishing flow.

Started by the crash tests as `celery -A tests.crashing_worker worker …`. The test, not the
clock, decides where it dies:

    CRASH_AT      "<module>:<attribute path>:before|after" — the function at whose start or end
                  the worker dies, e.g. "federation.library.consumers:run_pending:before";
                  "consumer:<name>:before|after" wraps a library consumer's handler
    CRASH_AFTER   die at the N-th call (default 1)
    CRASH_MARKER  a file written just before dying: the test reads it to know the worker died
                  where it meant it to, and a worker that finds it (a restart) does not die again

SIGKILL leaves no chance to clean up: no `finally`, no transaction commit, no task ack; what
survives is exactly what was committed before the boundary.
"""

import functools
import importlib
import os
import signal
from pathlib import Path

from celery.signals import worker_ready

from config.celery import app

__all__ = ["app"]

_calls = {"n": 0}


def _die_here(where: str) -> None:
    marker = Path(os.environ["CRASH_MARKER"])
    if marker.exists():
        return
    _calls["n"] += 1
    if _calls["n"] < int(os.environ.get("CRASH_AFTER", "1")):
        return
    marker.write_text(where)
    os.kill(os.getpid(), signal.SIGKILL)


def _wrap(function, when: str, where: str):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        if when == "before":
            _die_here(where)
        result = function(*args, **kwargs)
        if when == "after":
            _die_here(where)
        return result

    return wrapper


@worker_ready.connect
def install_crash_point(**kwargs):
    """After Django and every app are loaded: wrap the function the test named."""
    where = os.environ.get("CRASH_AT")
    if not where:
        return
    target, name, when = where.rsplit(":", 2)
    if target == "consumer":
        from federation.library import consumers

        consumers.register(name, _wrap(consumers.registered()[name], when, where))
        return
    owner = importlib.import_module(target)
    *path, attribute = name.split(".")
    for part in path:
        owner = getattr(owner, part)
    setattr(owner, attribute, _wrap(getattr(owner, attribute), when, where))
