"""Two-factor sign-in: who must use it, enrolment, verification and recovery codes.

The one module the rest of the code asks. The work is django-otp's: TOTP devices
(otp_totp, through models.SealedTOTPDevice: keys sealed at rest) and recovery codes
(otp_static, through models.RecoveryCodes: only digests stored), verified by django-otp
(clock tolerance, drift, no code accepted twice, throttling), and a verified session is
django-otp's (`django_otp.login`; OTPMiddleware gives `request.user.is_verified()`).
"""

import logging
import secrets
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import django_otp
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken

from . import sealing
from .models import RecoveryCodes, SealedTOTPDevice
from .roles import is_console_operator, is_console_security_auditor, is_webmaster

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "认证器"
RECOVERY_CODES_NAME = "恢复码"

log = logging.getLogger("jiyue.security")


def is_console() -> bool:
    return connection.schema_name == "public"


def required_for(user) -> bool:
    """Webmasters, console operators and the console's security auditors (who read every
    site's trail) must use it (ASVS 2.x at level 2 for admins)."""
    if not user.is_authenticated or not settings.TWO_FACTOR_ENFORCED:
        return False
    if is_console():
        return is_console_operator(user) or is_console_security_auditor(user)
    return is_webmaster(user)


def confirmed_device(user):
    return SealedTOTPDevice.objects.filter(user=user, confirmed=True).first()


def enrolled_devices():
    """Every confirmed authenticator of this schema, for the 账户安全 pages."""
    return (
        SealedTOTPDevice.objects.filter(confirmed=True)
        .select_related("user")
        .order_by("user__username")
    )


def must_verify(user) -> bool:
    """Anyone with an authenticator uses it; those who must have one are sent to enrol."""
    return required_for(user) or confirmed_device(user) is not None


def is_verified(request) -> bool:
    """This session gave a second factor (django-otp's record of it, OTPMiddleware)."""
    check = getattr(request.user, "is_verified", None)
    return bool(check and check())


def sign_in(request, device) -> None:
    """Mark the session verified by `device`, under a new session key."""
    django_otp.login(request, device)
    request.session.cycle_key()


# --- enrolment --------------------------------------------------------------------------


def pending_device(user, fresh: bool = False) -> SealedTOTPDevice:
    """The authenticator being enrolled: unconfirmed until its first code matches. Its key is
    sealed in the table like any other (never kept in the session)."""
    pending = SealedTOTPDevice.objects.filter(user=user, confirmed=False)
    if fresh:
        pending.delete()
    device = pending.first()
    if device is None:
        device = SealedTOTPDevice.objects.create(
            user=user, name=AUTHENTICATOR_NAME, confirmed=False
        )
    return device


def provisioning_uri(device, issuer: str) -> str:
    """The otpauth:// link (and QR code) an authenticator app scans."""
    label = quote(f"{issuer.replace(':', '')}:{device.user.get_username()}")
    return f"otpauth://totp/{label}?" + urlencode(
        {
            "secret": device.secret,
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": device.digits,
            "period": device.step,
        }
    )


@transaction.atomic
def enrol(user, code: str):
    """Confirm the pending authenticator with its first code; it replaces any earlier one.
    Returns (device, fresh recovery codes), or None when the code does not match."""
    device = SealedTOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not _totp_shaped(code):
        return None
    if not device.verify_token(_digits(code)):
        # No wait after a typo here: guessing the code of one's own new key gains nothing.
        device.throttle_reset()
        return None
    SealedTOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.created_at = timezone.now()  # shown as 启用时间: when it was confirmed
    device.save(update_fields=["confirmed", "created_at"])
    return device, new_recovery_codes(user)


def new_recovery_codes(user) -> list[str]:
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = secrets.token_hex(5)  # 40 bits each, single use
        codes.append(f"{raw[:5]}-{raw[5:]}")
    with transaction.atomic():
        RecoveryCodes.objects.filter(user=user).delete()
        device = RecoveryCodes.objects.create(user=user, name=RECOVERY_CODES_NAME, confirmed=True)
        StaticToken.objects.bulk_create(
            StaticToken(device=device, token=sealing.recovery_digest(code)) for code in codes
        )
    return codes


# --- verification -----------------------------------------------------------------------


@dataclass
class Verification:
    device: object = None  # the device that accepted the code
    retry_after: int = 0  # seconds django-otp's throttle wants before the next try (code unchecked)

    @property
    def kind(self) -> str | None:
        if self.device is None:
            return None
        return "recovery" if isinstance(self.device, RecoveryCodes) else "totp"

    def __bool__(self):
        return self.device is not None


def _digits(code: str) -> str:
    return "".join(ch for ch in str(code) if ch.isdigit())


def _totp_shaped(code: str) -> bool:
    """Six digits (spaces allowed) is an authenticator's code; anything else a recovery code.
    Each code goes to one device, so a typo counts against one throttle, not two."""
    stripped = str(code).replace(" ", "")
    return stripped.isdigit() and len(stripped) == 6


@transaction.atomic
def verify(user, code: str) -> Verification:
    """Check a code from the authenticator or a recovery code (each usable once)."""
    if _totp_shaped(code):
        device = (
            SealedTOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        )
        code = _digits(code)
    else:
        device = RecoveryCodes.objects.select_for_update().filter(user=user, confirmed=True).first()
    if device is None:
        return Verification()
    allowed, details = device.verify_is_allowed()
    if not allowed:
        wait = (details.get("locked_until") or timezone.now()) - timezone.now()
        return Verification(retry_after=max(1, int(wait.total_seconds() + 0.999)))
    try:
        accepted = device.verify_token(code)
    except sealing.UnsealError:
        # A key was changed without keeping the old one: the code is refused like a wrong one
        # (never a server error), and the log tells the operators what to do.
        log.error("two-factor key of user %s unreadable", user.pk, exc_info=True)
        accepted = False
    return Verification(device if accepted else None)


def remaining_recovery_codes(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def reset(user) -> None:
    """A webmaster's remedy for a lost phone: the user enrols again at next sign-in (and a
    session verified by the old device stops counting as verified)."""
    SealedTOTPDevice.objects.filter(user=user).delete()
    RecoveryCodes.objects.filter(user=user).delete()
