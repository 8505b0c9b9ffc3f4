"""Authenticator secrets sealed at rest (sealing.py): the column is renamed, widened for the
sealed form, and every secret stored in clear until now is sealed, in every schema."""

from django.db import migrations, models


def seal_existing(apps, schema_editor):
    from security import sealing

    Device = apps.get_model("security", "TwoFactorDevice")
    for device in Device.objects.all():
        if not sealing.is_sealed(device.sealed_secret):
            device.sealed_secret = sealing.seal(device.sealed_secret)
            device.save(update_fields=["sealed_secret"])


def unseal_existing(apps, schema_editor):
    from security import sealing

    Device = apps.get_model("security", "TwoFactorDevice")
    for device in Device.objects.all():
        if sealing.is_sealed(device.sealed_secret):
            device.sealed_secret = sealing.unseal(device.sealed_secret)
            device.save(update_fields=["sealed_secret"])


class Migration(migrations.Migration):

    dependencies = [
        ("security", "0001_initial"),
    ]

    operations = [
        migrations.RenameField("twofactordevice", "secret", "sealed_secret"),
        migrations.AlterField(
            model_name="twofactordevice",
            name="sealed_secret",
            field=models.CharField(max_length=255, verbose_name="密钥（加密存储）"),
        ),
        migrations.RunPython(seal_existing, unseal_existing),
    ]
