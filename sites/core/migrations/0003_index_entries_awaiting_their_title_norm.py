"""A partial index of the search entries still at the default title norm (1.0): after each
save, config.search_index finds the few entries awaiting their norm through it instead of
scanning the site's whole index."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_articlepage_body_shared_resources"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS wagtailsearch_indexentry_awaiting_norm "
            "ON wagtailsearch_indexentry (id) WHERE title_norm = 1.0",
            "DROP INDEX IF EXISTS wagtailsearch_indexentry_awaiting_norm",
        ),
    ]
