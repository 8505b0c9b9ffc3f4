"""Re-project the disclosure items projected before their page types fed the library.

Until issue 13 no real page type implemented `library_projection()`, so every disclosure
item's 文号, 索引号 and catalogue metadata were empty in the library and search could not find
a document by its number. This migration queues one resync outbox row per current disclosure
item (public schema only: the library is a shared app); the outbox sweep (every 30 s, in the
web process when there is no broker) projects each page again, and the search index follows.
"""

from django.db import migrations

BATCH = 1000


def reproject_disclosure_items(apps, schema_editor):
    LibraryItem = apps.get_model("library", "LibraryItem")
    OutboxEvent = apps.get_model("library", "OutboxEvent")
    rows = list(
        LibraryItem.objects.filter(withdrawn=False, page_model__startswith="disclosure.")
        .order_by("pk")
        .values_list("site_id", "item_key", "page_id")
    )
    cursor = schema_editor.connection.cursor()
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        cursor.execute(
            "SELECT nextval('public.federation_library_version') FROM generate_series(1, %s)",
            [len(batch)],
        )
        versions = [row[0] for row in cursor.fetchall()]
        OutboxEvent.objects.bulk_create(
            OutboxEvent(site_id=site_id, item_key=key, page_id=page_id, event="resync", version=v)
            for (site_id, key, page_id), v in zip(batch, versions, strict=True)
        )


class Migration(migrations.Migration):
    dependencies = [("library", "0002_consumerstep")]

    operations = [
        migrations.RunPython(reproject_disclosure_items, migrations.RunPython.noop, elidable=True)
    ]
