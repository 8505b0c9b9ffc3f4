"""New sites are copies of the `site_template` schema (P3: a site in about a second).

django-tenants' `clone_schema` walks `information_schema` table by table. Those views are
computed over every schema in the database, so each clone gets slower as sites accumulate
(seconds a site at 20 sites, tens of seconds at 60 under load) — a city with hundreds of
sites could not be provisioned. Here the template is read from `pg_catalog`, reached from its
namespace by indexed lookups (independent of the number of sites), and written out as one SQL script
run in a single round trip inside the provisioning transaction.

The script recreates exactly what Django's migrations produce: tables with their defaults,
identity columns and storage; the template's rows (migration history, locales, collections,
groups…); every constraint and index under its original name (later migrations refer to
them by name); identity sequences continued where the template's stand. A template holding
anything else (views, functions, triggers, plain sequences, partitions) is refused with
`CloneUnsupported` and django-tenants' general clone is used instead, so an unexpected
object is never silently left out.

We also skip django-tenants' `migrate_schemas --fake` on the copy when the template is
current: it loads the whole migration graph (~0.4 s) only to record what the copied
`django_migrations` already lists. A template behind on migrations takes django-tenants' path.
"""

from django.conf import settings
from django.db import connection, transaction
from django.db.backends.postgresql.psycopg_any import sql
from django_tenants.clone import CloneSchema
from django_tenants.utils import schema_exists

from .migrating import schema_is_current


class CloneUnsupported(Exception):
    """The template holds an object kind this clone does not copy."""


def template_is_current(template: str) -> bool:
    return schema_is_current(template)


def clone_template(schema_name: str) -> bool:
    """Copy the template into `schema_name`; False when the caller must take the slow path."""
    template = settings.TENANT_BASE_SCHEMA
    if not schema_exists(template) or not template_is_current(template):
        return False
    try:
        # One transaction: the catalog reads and the script both change the search path
        # locally, and a failure leaves no half-made schema.
        with transaction.atomic():
            script = clone_script(template, schema_name)
            with connection.cursor() as cursor:
                cursor.execute(script)
    except CloneUnsupported:
        CloneSchema().clone_schema(template, schema_name, "DATA")
    connection.set_schema_to_public()
    return True


# Object kinds a Django tenant schema may hold and this clone does not copy. %(rels)s are the
# template's relations (tables, sequences, views…: everything with a namespace dependency).
_UNSUPPORTED = """
SELECT 'relation ' || c.relname || ' (relkind ' || c.relkind::text || ')' FROM pg_class c
 WHERE c.oid = ANY(%(rels)s) AND c.relkind NOT IN ('r', 'S')
UNION ALL
SELECT 'sequence ' || c.relname || ' (not an identity column''s)' FROM pg_class c
 WHERE c.oid = ANY(%(rels)s) AND c.relkind = 'S' AND NOT EXISTS (
   SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
   AND d.deptype = 'i')
UNION ALL
SELECT 'function ' || p.proname FROM pg_proc p WHERE p.pronamespace = %(ns)s
UNION ALL
SELECT 'trigger ' || t.tgname FROM unnest(%(rels)s::oid[]) r(oid), LATERAL (
   -- OFFSET 0: looked up table by table (indexed); joined, the planner scans every trigger
   SELECT tgname FROM pg_trigger WHERE tgrelid = r.oid AND NOT tgisinternal OFFSET 0) t
UNION ALL
SELECT 'type ' || t.typname FROM pg_depend d JOIN pg_type t ON t.oid = d.objid
 WHERE d.refclassid = 'pg_namespace'::regclass AND d.refobjid = %(ns)s
 AND d.classid = 'pg_type'::regclass AND t.typtype <> 'c' AND t.typcategory <> 'A'
UNION ALL
SELECT 'inherited table ' || c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
 WHERE i.inhrelid = ANY(%(rels)s)
"""
# The template's relations, found through their dependency on its namespace: pg_class,
# pg_constraint and pg_type have no index on the namespace alone, so filtering them by it
# scans the whole catalog, which grows with every site (0.6 s of a clone at 120 sites).
# pg_depend's reference index finds them in a millisecond however many sites there are;
# indexes, constraints and columns are then read by their table's oid (indexed too).
_RELATIONS = """
SELECT coalesce(array_agg(d.objid), '{}') FROM pg_depend d
 WHERE d.refclassid = 'pg_namespace'::regclass AND d.refobjid = %s
 AND d.classid = 'pg_class'::regclass AND d.deptype = 'n'
"""


def clone_script(template: str, target: str) -> str:
    """The SQL that makes `target` a copy of `template`, structure and rows."""
    src, dst = sql.Identifier(template), sql.Identifier(target)
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::regnamespace::oid", [template])
        ns = cursor.fetchone()[0]
        cursor.execute(_RELATIONS, [ns])
        rels = cursor.fetchone()[0]
        cursor.execute(_UNSUPPORTED, {"ns": ns, "rels": rels})
        unsupported = [name for (name,) in cursor.fetchall()]
        if unsupported:
            raise CloneUnsupported(", ".join(unsupported))
        # Definitions are printed with only the template on the search path, so its own
        # tables come out unqualified (and resolve in the target when the script runs) and
        # anything elsewhere (public) keeps its schema.
        cursor.execute("SELECT current_setting('search_path')")
        search_path = cursor.fetchone()[0]
        cursor.execute(
            "SELECT set_config('search_path', %s, true)", [connection.ops.quote_name(template)]
        )
        try:
            cursor.execute(
                "SELECT c.relname, array_to_string(c.reloptions, ', ') FROM pg_class c "
                "WHERE c.oid = ANY(%s) AND c.relkind = 'r' ORDER BY c.relname",
                [rels],
            )
            tables = cursor.fetchall()
            # Primary keys first (foreign keys need the unique index they point at), foreign
            # keys last, after every table has its rows.
            cursor.execute(
                "SELECT c.relname, k.conname, pg_get_constraintdef(k.oid), k.contype "
                "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
                "WHERE k.conrelid = ANY(%s) "
                "ORDER BY position(k.contype::text in 'pucxf'), "
                "c.relname, k.conname",
                [rels],
            )
            constraints = cursor.fetchall()
            cursor.execute(
                "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "JOIN pg_class x ON x.oid = i.indexrelid "
                "WHERE i.indrelid = ANY(%s) AND i.indexrelid NOT IN "
                "(SELECT k.conindid FROM pg_constraint k WHERE k.conrelid = ANY(%s) "
                " AND k.contype IN ('p', 'u', 'x')) ORDER BY x.relname",
                [rels, rels],
            )
            indexes = [definition for (definition,) in cursor.fetchall()]
            cursor.execute(
                # pg_sequence, not the pg_sequences view: the planner runs the view over every
                # sequence of every schema before it filters (0.9 s at 200 schemas).
                "SELECT c.relname, a.attname, a.attidentity, q.relname, s.seqstart, s.seqmin, "
                "s.seqmax, s.seqincrement, s.seqcycle, s.seqcache, pg_sequence_last_value(q.oid) "
                "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                "JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = c.oid "
                " AND d.refobjsubid = a.attnum AND d.deptype = 'i' AND d.classid = 'pg_class'::regclass "
                "JOIN pg_class q ON q.oid = d.objid AND q.relkind = 'S' "
                "JOIN pg_sequence s ON s.seqrelid = q.oid "
                "WHERE c.oid = ANY(%s) AND a.attidentity <> '' AND NOT a.attisdropped "
                "ORDER BY 1, 2",
                [rels],
            )
            identities = cursor.fetchall()
        finally:
            cursor.execute("SELECT set_config('search_path', %s, true)", [search_path])

    # The script runs in a transaction (clone_template) and leaves the search path as it was.
    statements = [
        sql.SQL("CREATE SCHEMA {}").format(dst),
        sql.SQL("SET LOCAL search_path TO {}, public").format(dst),
    ]
    for table, options in tables:
        statements.append(
            sql.SQL(
                "CREATE TABLE {dst}.{t} (LIKE {src}.{t} INCLUDING DEFAULTS "
                "INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS){options}"
            ).format(
                dst=dst,
                src=src,
                t=sql.Identifier(table),
                options=sql.SQL(f" WITH ({options})" if options else ""),
            )
        )
        statements.append(
            sql.SQL("INSERT INTO {dst}.{t} SELECT * FROM {src}.{t}").format(
                dst=dst, src=src, t=sql.Identifier(table)
            )
        )
    for table, name, definition, kind in constraints:
        if kind == "f" and f"{template}." in definition:  # would point back at the template
            raise CloneUnsupported(f"foreign key {name} not understood: {definition}")
        statements.append(
            sql.SQL("ALTER TABLE {dst}.{t} ADD CONSTRAINT {name} {definition}").format(
                dst=dst,
                t=sql.Identifier(table),
                name=sql.Identifier(name),
                definition=sql.SQL(definition),
            )
        )
    template_prefix = f" ON {connection.ops.quote_name(template)}."
    qualified_prefix = f" ON {template}."
    for definition in indexes:
        # pg_get_indexdef always qualifies the table; point it at the target.
        for prefix in (template_prefix, qualified_prefix):
            if prefix in definition:
                definition = definition.replace(
                    prefix, f" ON {connection.ops.quote_name(target)}.", 1
                )
                break
        else:
            raise CloneUnsupported(f"index definition not understood: {definition}")
        statements.append(sql.SQL(definition))
    # Identity columns get their sequences under the template's names (LIKE … INCLUDING
    # IDENTITY would name them after the table, which differs for renamed tables), after the
    # rows are in, continuing where the template's stand.
    for (
        table,
        column,
        identity,
        sequence,
        start,
        minimum,
        maximum,
        step,
        cycle,
        cache,
        last,
    ) in identities:
        statements.append(
            sql.SQL(
                "ALTER TABLE {dst}.{t} ALTER COLUMN {c} ADD GENERATED {when} AS IDENTITY "
                "(SEQUENCE NAME {dst}.{s} START WITH {start} INCREMENT BY {step} MINVALUE {minimum} "
                "MAXVALUE {maximum} CACHE {cache} {cycle})"
            ).format(
                dst=dst,
                t=sql.Identifier(table),
                c=sql.Identifier(column),
                s=sql.Identifier(sequence),
                when=sql.SQL("ALWAYS" if identity == "a" else "BY DEFAULT"),
                start=sql.Literal(start),
                step=sql.Literal(step),
                minimum=sql.Literal(minimum),
                maximum=sql.Literal(maximum),
                cache=sql.Literal(cache),
                cycle=sql.SQL("CYCLE" if cycle else "NO CYCLE"),
            )
        )
        if last is not None:
            statements.append(
                sql.SQL("SELECT setval({s}, {v}, true)").format(
                    s=sql.Literal(
                        f"{connection.ops.quote_name(target)}.{connection.ops.quote_name(sequence)}"
                    ),
                    v=sql.Literal(last),
                )
            )
    statements.append(
        sql.SQL("SELECT set_config('search_path', {}, true)").format(sql.Literal(search_path))
    )
    with connection.cursor() as cursor:
        return sql.SQL(";\n").join(statements).as_string(cursor.connection)
