"""Request counters every web process shares, without Redis: a cache backend on PostgreSQL.

The rate limits (django-ratelimit, security/middleware.py) count requests in a cache. Django's
local-memory cache is per process: under gunicorn each worker would keep its own count, and a
client would get the budget once per worker. Django's database and file caches are shared but
increment by read-then-write, so two workers can both read 4 and both write 5. This backend
holds integer counters only, in `security.RequestCounter` (a table in every schema, so each
site's counters are its own), and does each step in one statement: `add` is an INSERT that
only replaces an expired row, `incr` an UPDATE … RETURNING. With REDIS_URL set, Redis (whose
INCR is atomic too) is used instead (config/settings/base.py).
"""

import datetime

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.db import connection
from django.utils import timezone

from .models import RequestCounter

FOREVER = datetime.datetime(9999, 1, 1, tzinfo=datetime.UTC)


class RequestCounterCache(BaseCache):
    def __init__(self, location, params):
        super().__init__(params)

    @staticmethod
    def _sql(statement: str) -> str:
        """`statement` on the counter table (its name is the model's, quoted; every value is a
        query parameter)."""
        return statement.format(table=connection.ops.quote_name(RequestCounter._meta.db_table))

    def _expires(self, timeout) -> datetime.datetime:
        at = self.get_backend_timeout(timeout)
        return FOREVER if at is None else datetime.datetime.fromtimestamp(at, tz=datetime.UTC)

    @staticmethod
    def _count(value) -> int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError("RequestCounterCache holds request counters (integers) only")
        return value

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        with connection.cursor() as cursor:
            cursor.execute(
                self._sql(
                    "INSERT INTO {table} (key, count, expires) VALUES (%s, %s, %s) "
                    "ON CONFLICT (key) DO UPDATE SET count = EXCLUDED.count, expires = EXCLUDED.expires "
                    "WHERE {table}.expires <= now() RETURNING 1"
                ),
                [key, self._count(value), self._expires(timeout)],
            )
            added = cursor.fetchone() is not None
            if added:  # a new window began: forget the windows that ended (indexed by expiry)
                cursor.execute(self._sql("DELETE FROM {table} WHERE expires < now()"))
        return added

    def incr(self, key, delta=1, version=None) -> int:
        key = self.make_and_validate_key(key, version=version)
        with connection.cursor() as cursor:
            cursor.execute(
                self._sql(
                    "UPDATE {table} SET count = count + %s "
                    "WHERE key = %s AND expires > now() RETURNING count"
                ),
                [delta, key],
            )
            row = cursor.fetchone()
        if row is None:
            raise ValueError(f"Key '{key}' not found")
        return row[0]

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        with connection.cursor() as cursor:
            cursor.execute(
                self._sql("SELECT count FROM {table} WHERE key = %s AND expires > now()"), [key]
            )
            row = cursor.fetchone()
        return default if row is None else row[0]

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        key = self.make_and_validate_key(key, version=version)
        with connection.cursor() as cursor:
            cursor.execute(
                self._sql(
                    "INSERT INTO {table} (key, count, expires) VALUES (%s, %s, %s) "
                    "ON CONFLICT (key) DO UPDATE SET count = EXCLUDED.count, expires = EXCLUDED.expires"
                ),
                [key, self._count(value), self._expires(timeout)],
            )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        return (
            RequestCounter.objects.filter(key=key, expires__gt=timezone.now()).update(
                expires=self._expires(timeout)
            )
            > 0
        )

    def delete(self, key, version=None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        return RequestCounter.objects.filter(key=key).delete()[0] > 0

    def clear(self) -> None:
        RequestCounter.objects.all().delete()
