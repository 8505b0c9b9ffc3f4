"""Narrow main rows: the tsvector out of line (see models.py); each vector gets its row's
site, type and year as tags (backends/postgres/documents.tag); and only GIN indexes beside
the primary key: a B-tree on the site or the date let the planner test the vector row by row,
which with the vector out of line means reading it from TOAST for every row."""

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models

# Values as they were when this migration was written (a migration must not follow the model).
TABLE = "federation_search_document"
BALLAST_CHARS = 2100

# Storage first: adding the generated column (BALLAST) rewrites every row, and that rewrite
# moves the existing vectors out of line as set here. The ballast's own STORAGE MAIN is set in
# the same ALTER TABLE, which applies it before the rewrite.
STORAGE = f"""
ALTER TABLE {TABLE} ALTER COLUMN vector SET STORAGE EXTERNAL,
    ALTER COLUMN identifiers SET STORAGE MAIN
"""
STORAGE_REVERSE = f"""
ALTER TABLE {TABLE} ALTER COLUMN vector SET STORAGE EXTENDED,
    ALTER COLUMN identifiers SET STORAGE EXTENDED
"""
# The tags as backends/postgres/documents.tags writes them ('site:12', 'type:notice', 'year:2025').
TAGS = "ARRAY['site:' || site_id, 'type:' || item_type, 'year:' || year]"
ADD_TAGS = f"""
UPDATE {TABLE} SET vector = vector || array_to_tsvector(array_remove({TAGS}, NULL))
"""
REMOVE_TAGS = f"""
UPDATE {TABLE} SET vector = ts_delete(vector, array_remove({TAGS}, NULL))
"""
BALLAST = f"""
ALTER TABLE {TABLE}
    ADD COLUMN toast_ballast text GENERATED ALWAYS AS (repeat(' ', {BALLAST_CHARS})) STORED,
    ALTER COLUMN toast_ballast SET STORAGE MAIN
"""


class Migration(migrations.Migration):

    dependencies = [
        ("federation_search", "0001_initial"),
        ("tenants", "0001_initial"),
    ]

    operations = [
        # The site's B-tree index goes (see the module docstring); the GIN index narrows by site.
        migrations.AlterField(
            model_name="searchdocument",
            name="site",
            field=models.ForeignKey(db_constraint=False, db_index=False,
                                    on_delete=django.db.models.deletion.DO_NOTHING,
                                    related_name="+", to="tenants.website"),
        ),
        migrations.RunSQL(STORAGE, STORAGE_REVERSE),
        migrations.RunSQL(ADD_TAGS, REMOVE_TAGS),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(BALLAST, f"ALTER TABLE {TABLE} DROP COLUMN toast_ballast"),
            ],
            state_operations=[
                migrations.AddField(
                    model_name="searchdocument",
                    name="toast_ballast",
                    field=models.GeneratedField(
                        db_persist=True,
                        expression=django.db.models.functions.text.Repeat(models.Value(" "), BALLAST_CHARS),
                        output_field=models.TextField()),
                ),
            ],
        ),
        migrations.RemoveIndex(
            model_name="searchdocument",
            name="search_doc_site_date_idx",
        ),
    ]
