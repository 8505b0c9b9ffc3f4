"""A real Celery worker process on the Redis broker, against the committed test database."""

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from config.celery import app

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
ROOT = Path(__file__).resolve().parent.parent


def use_broker(url: str | None):
    """Point this process's Celery app at `url` (None: back to in-process eager tasks)."""
    # Drop the references only: kombu keeps one pool per broker URL process-wide, and a closed
    # pool would be handed back the next time that URL is used.
    app._pool = None
    app.__dict__.get("amqp") and setattr(app.amqp, "_producer_pool", None)
    app.conf.broker_url = url or ""
    app.conf.task_always_eager = url is None


def wait_for(predicate, timeout=20.0, step=0.05):
    """The predicate's first truthy value within `timeout` seconds, else its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(step)
    return predicate()


def other_sessions() -> int:
    """Connections to the test database besides this one (a worker's, not yet gone)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        return cursor.fetchone()[0]


def redis_available() -> bool:
    with (
        contextlib.suppress(OSError),
        socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=1),
    ):
        return True
    return False


def worker_database_url() -> str:
    s = connection.settings_dict
    host = (
        quote(s["HOST"], safe="")
        if s["HOST"].startswith("/")
        else f"{s['HOST']}:{s.get('PORT') or 5432}"
    )
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{host}/{s['NAME']}"


@contextlib.contextmanager
def celery_worker(redis_db: int, queue: str):
    """Start `celery worker` for `queue` and yield the broker URL; stop it afterwards."""
    if not redis_available():
        pytest.skip(f"no Redis at {REDIS_HOST}:{REDIS_PORT}: `make services` starts one")
    broker = f"redis://{REDIS_HOST}:{REDIS_PORT}/{redis_db}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": worker_database_url(),
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
    }
    log = open(ROOT / "var" / f"worker-{queue}.log", "w")  # noqa: SIM115 (closed below)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_ready(worker, ROOT / "var" / f"worker-{queue}.log")
        yield broker
    finally:
        worker.terminate()
        try:
            worker.wait(10)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()


def _wait_until_ready(worker, log_path, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError(f"celery worker exited early:\n{log_path.read_text()[-3000:]}")
        if "ready." in log_path.read_text():
            return
        time.sleep(0.3)
    raise RuntimeError(
        f"celery worker not ready after {timeout} s:\n{log_path.read_text()[-3000:]}"
    )


@contextlib.contextmanager
def sending_to(broker: str):
    """Make this (test) process send tasks to `broker` instead of running them eagerly.

    Yields `wait(result, timeout)` that reads a task's result from the broker's Redis.
    """
    from celery.backends.redis import RedisBackend
    from celery.result import AsyncResult

    def reset_connections():
        # Drop the app's references so they are rebuilt for the new broker. Not closed: kombu
        # keeps producer pools in a global registry keyed by broker and reuses them.
        app._pool = None
        app.amqp._producer_pool = None

    saved = {k: app.conf[k] for k in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=broker, result_backend=broker, task_always_eager=False)
    reset_connections()
    backend = RedisBackend(app=app, url=broker)

    def wait(result, timeout=30):
        return AsyncResult(result.id, app=app, backend=backend).get(timeout=timeout)

    try:
        yield wait
    finally:
        app.conf.update(saved)
        reset_connections()


class WorkerProcess:
    """`celery -A <app> worker` on the default queue of `broker`, as a subprocess over the
    committed test database; `stop()` ends it (a killed one is only reaped)."""

    def __init__(
        self, broker: str, log_path: Path, *, app: str = "config", env: dict | None = None
    ):
        self.log_path = log_path
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": worker_database_url(),
            "CELERY_BROKER_URL": broker,
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        self.log = log_path.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                app,
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--prefetch-multiplier=1",
            ],
            cwd=ROOT,
            env=environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        _wait_until_ready(self.process, log_path)

    @property
    def killed(self) -> bool:
        return self.process.poll() == -9  # SIGKILL

    def stop(self):
        if self.log.closed:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
