"""Two-factor sign-in: who must use it, enrolment, verification and recovery codes."""

import hashlib
import hmac
import logging
import secrets

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from . import sealing, totp
from .models import RecoveryCode, TwoFactorDevice
from .roles import is_console_operator, is_webmaster

SESSION_VERIFIED = "security_2fa_verified"
SESSION_PENDING_SECRET = "security_2fa_pending_secret"  # noqa: S105  (a session key name)
RECOVERY_CODE_COUNT = 10

log = logging.getLogger("jiyue.security")


def is_console() -> bool:
    return connection.schema_name == "public"


def required_for(user) -> bool:
    """Webmasters and console operators must use it (ASVS 2.x at level 2 for admins)."""
    if not user.is_authenticated or not settings.TWO_FACTOR_ENFORCED:
        return False
    return is_console_operator(user) if is_console() else is_webmaster(user)


def confirmed_device(user):
    return TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


def must_verify(user) -> bool:
    """Anyone with an authenticator uses it; those who must have one are sent to enrol."""
    return required_for(user) or confirmed_device(user) is not None


def _code_hash(code: str) -> str:
    normalised = code.replace("-", "").replace(" ", "").lower()
    return hmac.new(settings.SECRET_KEY.encode(), normalised.encode(), hashlib.sha256).hexdigest()


def new_recovery_codes(user) -> list[str]:
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = secrets.token_hex(5)  # 40 bits each, single use
        codes.append(f"{raw[:5]}-{raw[5:]}")
    with transaction.atomic():
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=_code_hash(c)) for c in codes)
    return codes


@transaction.atomic
def enrol(user, secret: str, code: str) -> list[str] | None:
    """Confirm a new authenticator with its first code; returns fresh recovery codes."""
    step = totp.match(secret, code)
    if step is None:
        return None
    TwoFactorDevice.objects.update_or_create(
        user=user, defaults={"secret": secret, "confirmed_at": timezone.now(), "last_used_step": step})
    return new_recovery_codes(user)


@transaction.atomic
def verify(user, code: str) -> str | None:
    """'totp' or 'recovery' when the code is good (each usable once), else None."""
    device = TwoFactorDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        return None
    try:
        secret = device.secret
    except sealing.UnsealError:
        # A key was changed without keeping the old one: the code is refused like a wrong one
        # (never a server error), and the log tells the operators what to do.
        log.error("two-factor secret of user %s unreadable", user.pk, exc_info=True)
        secret = None
    step = totp.match(secret, code, after_step=device.last_used_step) if secret else None
    if step is not None:
        device.last_used_step = step
        device.save(update_fields=["last_used_step"])
        return "totp"
    used = (RecoveryCode.objects.select_for_update()
            .filter(user=user, used_at__isnull=True, code_hash=_code_hash(code)).first())
    if used is not None:
        used.used_at = timezone.now()
        used.save(update_fields=["used_at"])
        return "recovery"
    return None


def remaining_recovery_codes(user) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def reset(user) -> None:
    """A webmaster's remedy for a lost phone: the user enrols again at next sign-in."""
    TwoFactorDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
