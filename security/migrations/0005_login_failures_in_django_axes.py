"""Sign-in failures are counted by django-axes (its AccessAttempt table, in every schema). The
old rows are not carried over: they only ever mattered for 15 minutes."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('security', '0004_remove_old_two_factor_tables'),
    ]

    operations = [
        migrations.DeleteModel(
            name='LoginFailure',
        ),
    ]
