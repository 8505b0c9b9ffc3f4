"""The hall's narrow table (HallEntry), and a pending step of its library consumer ("hall") for
every current service item already in the library: the consumer sweep (every 30 s, in the web
process when there is no broker) writes their rows, as it would after any change.
"""

import datetime

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone

BATCH = 1000


def schedule_existing_items(apps, schema_editor):
    LibraryItem = apps.get_model("library", "LibraryItem")
    ConsumerStep = apps.get_model("library", "ConsumerStep")
    # Older than the sweep's grace period: the next sweep takes them.
    due = timezone.now() - datetime.timedelta(minutes=5)
    rows = list(
        LibraryItem.objects.filter(item_type="service", withdrawn=False)
        .order_by("pk")
        .values_list("pk", "version")
    )
    for start in range(0, len(rows), BATCH):
        ConsumerStep.objects.bulk_create(
            [
                ConsumerStep(
                    item_id=pk, consumer="hall", version=version, event="resync", scheduled_at=due
                )
                for pk, version in rows[start : start + BATCH]
            ],
            ignore_conflicts=True,
        )


class Migration(migrations.Migration):

    dependencies = [
        ('library', '0003_reproject_disclosure_items'),
        ('onestop', '0001_initial'),
        ('tenants', '0005_calendar_entries'),
    ]

    operations = [
        migrations.CreateModel(
            name='HallEntry',
            fields=[
                ('item', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='library.libraryitem')),
                ('title', models.CharField(max_length=255, verbose_name='标题')),
                ('summary', models.TextField(blank=True, verbose_name='摘要')),
                ('url', models.URLField(max_length=500, verbose_name='网址')),
                ('online_level', models.PositiveSmallIntegerField(default=1, verbose_name='办理深度')),
                ('service_type', models.CharField(blank=True, max_length=20, verbose_name='事项类型')),
                ('themes', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=40), blank=True, default=list, size=None)),
                ('life_events', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=40), blank=True, default=list, size=None)),
                ('version', models.BigIntegerField(default=0)),
                ('site', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tenants.website', verbose_name='网站')),
            ],
            options={
                'verbose_name': '办事大厅条目',
                'verbose_name_plural': '办事大厅条目',
                'indexes': [models.Index(fields=['site', 'online_level'], name='onestop_entry_site_idx'), django.contrib.postgres.indexes.GinIndex(fields=['themes'], name='onestop_entry_themes_idx'), django.contrib.postgres.indexes.GinIndex(fields=['life_events'], name='onestop_entry_events_idx')],
            },
        ),
        migrations.RunPython(schedule_existing_items, migrations.RunPython.noop, elidable=True),
    ]
