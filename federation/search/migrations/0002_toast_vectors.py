from django.db import migrations


class Migration(migrations.Migration):
    """Move tsvectors out of the main rows (see backends/postgres.TOAST_TARGET)."""

    dependencies = [("federation_search", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE federation_search_document SET (toast_tuple_target = 128)",
            "ALTER TABLE federation_search_document RESET (toast_tuple_target)",
        ),
    ]
