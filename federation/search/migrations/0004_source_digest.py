"""Each row keeps a digest of what it was made from (backends/postgres/documents.source_digest),
so an item written again unchanged keeps its row without being segmented again. Existing rows
have none and are rewritten at their item's next change or resync. Adding a nullable column
rewrites no row."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("federation_search", "0003_sample_tags"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="source_digest",
            field=models.BigIntegerField(null=True),
        ),
    ]
