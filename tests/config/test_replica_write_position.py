"""The recorded write position only moves forward, whichever writer finishes last.

Two writers (threads, each with its own connection to the primary, as two web workers have)
update alpha's write position; the first pauses between reading the recorded position and
storing its own, while the second, which has the larger position, runs. Stored last, the
first's smaller position would send alpha's reads to a replica that has not replayed the
second's write.
"""

import threading
import time

import pytest
from django.core.cache import caches
from django.db import connection, connections

from config import replica

FIRST, SECOND = "0/2000", "0/3000"  # the second writer's WAL position is further on


def waiting_for_a_position_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
            "AND classid = %s",
            [replica.POSITION_LOCKS],
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db
def test_two_writers_interleaved_leave_the_furthest_position(monkeypatch):
    cache = caches["pages"]
    key = replica._key("alpha")
    cache.delete(key)
    monkeypatch.setattr(replica, "configured", lambda: True)
    position_of = {"first": FIRST, "second": SECOND}
    monkeypatch.setattr(
        replica, "primary_position", lambda cursor: position_of[threading.current_thread().name]
    )
    first_has_read, first_may_store = threading.Event(), threading.Event()
    real_get = type(cache).get  # each thread has its own cache object: patch their class

    def get(self, *args, **kwargs):
        value = real_get(self, *args, **kwargs)
        if threading.current_thread().name == "first":
            first_has_read.set()
            first_may_store.wait(10)
        return value

    monkeypatch.setattr(type(cache), "get", get)

    def write():
        try:
            replica.remember_write("alpha")
        finally:
            connections.close_all()

    first = threading.Thread(target=write, name="first")
    second = threading.Thread(target=write, name="second")
    first.start()
    assert first_has_read.wait(10)
    second.start()
    # The second writer either finishes (nothing keeps the two apart) or waits for the first.
    deadline = time.monotonic() + 10
    while second.is_alive() and not waiting_for_a_position_lock():
        assert time.monotonic() < deadline, "the second writer neither finished nor waited"
        time.sleep(0.01)
    first_may_store.set()
    first.join(10)
    second.join(10)
    assert not first.is_alive() and not second.is_alive()
    try:
        assert cache.get(key) == SECOND
    finally:
        cache.delete(key)
