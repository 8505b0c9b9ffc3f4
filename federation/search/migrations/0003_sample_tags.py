"""Each vector gets its row's sample bucket as a tag ('sample:N', N from 0 to 63: the top 6 of
the low 16 bits of item id × 40503), as backends/postgres/documents.tags writes it: counts for
a very common word are estimated from the rows of a few buckets, which the GIN index then finds
without reading the others.

The rows are deleted and inserted again, as the indexing code now writes them, not updated:
an UPDATE (ON CONFLICT DO UPDATE included) keeps the row's stored ballast (a generated
column depending on no other column is not computed again), which is compressed to 35
bytes, so the new row is formed under 2 kB and PostgreSQL leaves the new vector in it (see
models.py). An inserted row gets a fresh ballast, and its vector goes out of line. Rows
re-indexed with an upsert before this migration (every edited item) had their vectors
brought into the row that way; this puts them back out of line as well."""

from django.db import migrations

# Values as they were when this migration was written (a migration must not follow the code).
TABLE = "federation_search_document"
TAG = "ARRAY['sample:' || (mod(item_id * 40503, 65536) / 1024)]"
COLUMNS = "item_id, site_id, item_type, year, published_at, expires_at, identifiers"


def rewrite_vectors(expression: str, where: str = "true") -> str:
    return (f"WITH old AS (DELETE FROM {TABLE} WHERE {where} RETURNING {COLUMNS}, vector) "  # noqa: S608
            f"INSERT INTO {TABLE} ({COLUMNS}, vector) SELECT {COLUMNS}, {expression} FROM old")


WITH_TAG = f"vector || array_to_tsvector({TAG})"
WITHOUT_TAG = f"ts_delete(vector, {TAG})"
ADD_TAG = rewrite_vectors(WITH_TAG)
REMOVE_TAG = rewrite_vectors(WITHOUT_TAG)


class Migration(migrations.Migration):

    dependencies = [
        ("federation_search", "0002_narrow_rows"),
    ]

    operations = [
        migrations.RunSQL(ADD_TAG, REMOVE_TAG),
    ]
