"""Two-factor moves onto django-otp, with no re-enrolment, in every schema (console and sites).

Each TwoFactorDevice becomes an otp_totp device read through SealedTOTPDevice: its
Fernet-sealed base32 secret is opened and sealed again in the short AES-GCM form that fits
django-otp's key column; the last accepted time step becomes `last_t` (a code used before the
move is still refused), `confirmed_at` the device's `created_at`. Each user's unused recovery
codes become the tokens of one otp_static device: the first 16 hex digits of the HMAC the old
table held, which is what RecoveryCodes compares. The old tables go in 0004.
"""

import base64
import logging

from django.db import migrations

log = logging.getLogger("jiyue.security")

# What a device whose old secret no key opens gets: a sealed-looking value that never opens,
# so its codes are refused as before (and logged) until the webmaster resets it.
UNREADABLE = "g1.unreadable"


def to_django_otp(apps, schema_editor):
    from security import sealing

    OldDevice = apps.get_model("security", "TwoFactorDevice")
    OldCode = apps.get_model("security", "RecoveryCode")
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    StaticDevice = apps.get_model("otp_static", "StaticDevice")
    StaticToken = apps.get_model("otp_static", "StaticToken")
    for old in OldDevice.objects.all():
        try:
            secret = sealing.legacy_unseal(old.sealed_secret)
            key = sealing.seal(base64.b32decode(secret + "=" * (-len(secret) % 8)))
        except sealing.UnsealError:
            log.warning("schema %s: the authenticator of user %s opens with none of the keys; it "
                        "refuses every code until it is reset", schema_editor.connection.schema_name,
                        old.user_id)
            key = UNREADABLE
        device = TOTPDevice.objects.create(
            user_id=old.user_id, name="认证器", key=key, confirmed=old.confirmed_at is not None,
            last_t=old.last_used_step or -1)
        # auto_now_add set created_at; the old confirmation time is the one worth keeping.
        TOTPDevice.objects.filter(pk=device.pk).update(created_at=old.confirmed_at or old.created_at)
    for user_id in OldCode.objects.filter(used_at__isnull=True).values_list("user_id", flat=True).distinct():
        codes = StaticDevice.objects.create(user_id=user_id, name="恢复码", confirmed=True)
        StaticToken.objects.bulk_create(
            StaticToken(device=codes, token=code.code_hash[:sealing.RECOVERY_DIGEST_LENGTH])
            for code in OldCode.objects.filter(user_id=user_id, used_at__isnull=True))


def from_django_otp(apps, schema_editor):
    """Back to the old tables. Authenticators move back; recovery codes cannot (only part of
    their digest was kept): their owners make new ones from the 2FA page."""
    from security import sealing

    OldDevice = apps.get_model("security", "TwoFactorDevice")
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    for device in TOTPDevice.objects.filter(key__startswith=sealing.SEALED_PREFIX):
        try:
            secret = base64.b32encode(sealing.unseal(device.key)).decode("ascii")
        except sealing.UnsealError:
            continue
        OldDevice.objects.update_or_create(user_id=device.user_id, defaults={
            "sealed_secret": sealing.legacy_seal(secret), "last_used_step": max(device.last_t, 0),
            "confirmed_at": device.created_at if device.confirmed else None})
        device.delete()
    apps.get_model("otp_static", "StaticDevice").objects.filter(name="恢复码").delete()


class Migration(migrations.Migration):

    dependencies = [
        ("security", "0002_sealed_two_factor_secrets"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [
        migrations.CreateModel(
            name="SealedTOTPDevice",
            fields=[],
            options={"verbose_name": "认证器", "verbose_name_plural": "认证器", "proxy": True,
                     "indexes": [], "constraints": []},
            bases=("otp_totp.totpdevice",),
        ),
        migrations.CreateModel(
            name="RecoveryCodes",
            fields=[],
            options={"verbose_name": "恢复码", "verbose_name_plural": "恢复码", "proxy": True,
                     "indexes": [], "constraints": []},
            bases=("otp_static.staticdevice",),
        ),
        migrations.RunPython(to_django_otp, from_django_otp),
    ]
