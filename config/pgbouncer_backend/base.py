"""django-tenants behind PgBouncer in transaction pooling mode (`DATABASE_POOLING=transaction`).

django-tenants chooses a site by `SET search_path`, a session setting, sent once per
connection (TENANT_LIMIT_SET_CALLS) as a statement of its own. A transaction-pooling
PgBouncer lends a server connection for one transaction only: outside `atomic()` every
statement is a transaction, so the SET lands on one server connection and the next query on
another, whose search_path another site's process set a moment ago. That query reads and
writes the other site's tables.

Here the search_path travels with the transaction that uses it:
- outside a transaction (autocommit) every statement is sent as
  `SET LOCAL search_path = …; <statement>`: one simple-protocol message, which PostgreSQL runs
  as one implicit transaction and PgBouncer therefore runs on one server connection;
- inside `atomic()` the first statement carries `SET LOCAL search_path`, and so does the next
  one after a schema switch or a rollback to a savepoint (django-tenants forgets the path it
  sent on rollback; this backend also forgets it on commit, when SET LOCAL ends).
SET LOCAL leaves nothing behind on the server connection for the next client.

What it needs, which `config.database` sets in this mode: client-side parameter binding
(Django's default: psycopg's ClientCursor uses the simple protocol and never prepares
statements, which PgBouncer 1.18 cannot pool) and no server-side cursors (a named cursor lives
across transactions: DISABLE_SERVER_SIDE_CURSORS). Session-level advisory locks do not work
through the pooler either (config.periodic: run Celery beat instead), nor do statements that
refuse a transaction block (CREATE INDEX CONCURRENTLY, VACUUM): migrations go straight to
PostgreSQL (DATABASE_DIRECT_URL, see deploy/README.md).
"""

from django.db.backends.postgresql.base import Cursor as ClientCursor
from django_tenants.postgresql_backend import base as tenant_backend
from django_tenants.utils import quote_schema_name
from psycopg import sql


class SearchPathCursor(ClientCursor):
    """A psycopg client-side cursor whose statements carry their site's search_path."""

    database = None  # the DatabaseWrapper; None for the few cursors psycopg opens itself

    def execute(self, query, params=None, **kwargs):
        prefix = self.database.search_path_prefix() if self.database is not None else None
        if prefix is None:
            return super().execute(query, params, **kwargs)
        super().execute(_prefixed(prefix, query, params), params, **kwargs)
        # The message's first result is the SET's; callers expect their statement's.
        self.nextset()
        return self

    def executemany(self, query, params_seq, **kwargs):
        # executemany pipelines its statements over the extended protocol, one statement per
        # message: the SET cannot ride along. Pin them in one transaction behind it instead.
        if self.database is None:
            return super().executemany(query, params_seq, **kwargs)
        if self.connection.autocommit:
            with self.connection.transaction():
                super().execute(self.database.search_path_statement())
                return super().executemany(query, params_seq, **kwargs)
        prefix = self.database.search_path_prefix()
        if prefix is not None:
            super().execute(prefix)
        return super().executemany(query, params_seq, **kwargs)


def _prefixed(prefix, query, params):
    if isinstance(query, sql.Composable):
        return sql.SQL(prefix) + query
    if isinstance(query, bytes):
        return prefix.encode() + query
    # With parameters psycopg reads %-placeholders in the whole text: escape the prefix's.
    return (prefix.replace("%", "%%") if params is not None else prefix) + query


class DatabaseWrapper(tenant_backend.DatabaseWrapper):
    def get_connection_params(self):
        params = super().get_connection_params()
        params["cursor_factory"] = SearchPathCursor
        return params

    def create_cursor(self, name=None):
        cursor = super().create_cursor(name)
        if name is None:
            cursor.database = self
        return cursor

    def _handle_search_path(self, cursor=None):
        # django-tenants' session-level SET, sent on its own, is exactly what must not happen
        # here: SearchPathCursor sends the path with the statements instead.
        if not self.schema_name:
            raise tenant_backend.ImproperlyConfigured(
                "Database schema not set. Did you forget to call set_schema() or set_tenant()?"
            )

    def search_path_statement(self) -> str:
        schemas = self._get_cursor_search_paths()
        return "SET LOCAL search_path = " + ",".join(quote_schema_name(s) for s in schemas)

    def search_path_prefix(self) -> str | None:
        """The SET to send before the next statement, or None if its transaction has it."""
        if self.get_autocommit():
            return self.search_path_statement() + "; "
        schemas = self._get_cursor_search_paths()
        if self.search_path_set_schemas == schemas:
            return None
        self.search_path_set_schemas = schemas
        return self.search_path_statement() + "; "

    def commit(self):
        # SET LOCAL ends with its transaction: the next one must send the path again.
        self.search_path_set_schemas = None
        super().commit()

    def _set_autocommit(self, autocommit):
        self.search_path_set_schemas = None
        super()._set_autocommit(autocommit)
