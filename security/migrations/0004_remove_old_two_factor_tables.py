"""The tables two-factor used before django-otp (0003 moved their rows). A migration of its own:
PostgreSQL refuses to drop a table in the transaction that just wrote rows referring to users."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("security", "0003_two_factor_on_django_otp"),
    ]

    operations = [
        migrations.DeleteModel(name="RecoveryCode"),
        migrations.DeleteModel(name="TwoFactorDevice"),
    ]
