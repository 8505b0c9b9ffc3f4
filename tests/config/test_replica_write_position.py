"""The recorded write position only moves forward, whichever writer finishes last.

Two writers (threads, each with its own connection to the primary, as two web workers have)
update alpha's write position; the first pauses between reading the primary's position and
storing it, while the second, which has the larger position, runs. Stored last, the first's
smaller position would send alpha's reads to a replica that has not replayed the second's write.
"""

import threading
import time

import pytest
from django.db import connection, connections

from config import replica
from config.replica.models import WritePosition

FIRST, SECOND = "0/2000", "0/3000"  # the second writer's WAL position is further on


def waiting_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE NOT l.granted AND a.datname = current_database()"
        )
        return cursor.fetchone()[0] > 0


def on_its_own_connection(work):
    """Run `work` in a thread with its own connection: what it writes is committed."""

    def run():
        try:
            work()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(10)


@pytest.mark.django_db
def test_two_writers_interleaved_leave_the_furthest_position(monkeypatch):
    monkeypatch.setattr(replica, "configured", lambda: True)
    first_has_read, first_may_store = threading.Event(), threading.Event()

    def position(cursor):
        if threading.current_thread().name == "first":
            first_has_read.set()
            first_may_store.wait(10)
            return FIRST
        return SECOND

    monkeypatch.setattr(replica, "primary_position", position)

    def write():
        try:
            replica.remember_write("alpha")
        finally:
            connections.close_all()

    first = threading.Thread(target=write, name="first")
    second = threading.Thread(target=write, name="second")
    first.start()
    try:
        assert first_has_read.wait(10)
        second.start()
        # The second writer either finishes (nothing keeps the two apart) or waits for the first.
        deadline = time.monotonic() + 10
        while second.is_alive() and not waiting_for_a_lock():
            assert time.monotonic() < deadline, "the second writer neither finished nor waited"
            time.sleep(0.01)
        first_may_store.set()
        first.join(10)
        second.join(10)
        assert not first.is_alive() and not second.is_alive()
        assert replica.written_position("alpha") == replica.lsn(SECOND)
    finally:
        first_may_store.set()
        on_its_own_connection(lambda: WritePosition.objects.filter(site="alpha").delete())
