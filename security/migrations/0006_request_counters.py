"""Rate-limit counters shared by every web process, in every schema (security/counters.py)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('security', '0005_login_failures_in_django_axes'),
    ]

    operations = [
        migrations.CreateModel(
            name='RequestCounter',
            fields=[
                ('key', models.CharField(max_length=250, primary_key=True, serialize=False)),
                ('count', models.BigIntegerField()),
                ('expires', models.DateTimeField(db_index=True)),
            ],
            options={
                'verbose_name': '请求计数',
                'verbose_name_plural': '请求计数',
            },
        ),
    ]
