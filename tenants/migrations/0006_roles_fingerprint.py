from django.db import migrations, models

import tenants.models


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0005_calendar_entries"),
    ]

    # Existing sites start blank (their roles were ensured with definitions nobody recorded:
    # the next setup_platform ensures them once); new rows then default to the current ones.
    operations = [
        migrations.AddField(
            model_name="website",
            name="roles_fingerprint",
            field=models.CharField(
                blank=True,
                default="",
                editable=False,
                max_length=64,
                verbose_name="角色定义指纹",
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="website",
            name="roles_fingerprint",
            field=models.CharField(
                blank=True,
                default=tenants.models.current_roles_fingerprint,
                editable=False,
                max_length=64,
                verbose_name="角色定义指纹",
            ),
        ),
    ]
