from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import get_public_schema_name, schema_context

from security import sealing
from security.models import SealedTOTPDevice
from tenants import services


class Command(BaseCommand):
    help = (
        "Seal every authenticator key again with the first of TWO_FACTOR_KEYS (or with "
        "SECRET_KEY), in the console and every site: run after adding a new key, then the "
        "old key can be removed."
    )

    def handle(self, *args, **opts):
        schemas = [get_public_schema_name(), *(s.schema_name for s in services.sites())]
        unreadable = 0
        for n, schema in enumerate(schemas, 1):
            resealed = 0
            with schema_context(schema):
                for device in SealedTOTPDevice.objects.all():
                    try:
                        device.key = sealing.reseal(device.key)
                    except sealing.UnsealError:  # reported; the others go on
                        unreadable += 1
                        self.stderr.write(
                            f"{schema}: the authenticator of user {device.user_id} "
                            "opens with none of the keys; reset it so they enrol again"
                        )
                        continue
                    device.save(update_fields=["key"])
                    resealed += 1
            self.stdout.write(f"[{n}/{len(schemas)}] {schema}: {resealed} resealed")
        if unreadable:
            raise CommandError(
                f"{unreadable} authenticator(s) could not be resealed (see above); "
                "the old key must stay until they are reset"
            )
