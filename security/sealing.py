"""Authenticator keys and recovery codes protected at rest.

A TOTP key cannot be hashed like a password: checking a code needs the key itself. So it is
stored encrypted, and a copy of the database (a backup file, a schema dump, a read through
some flaw) does not give away anyone's second factor; the keys that open it live in the
process's settings, not in the database (GB/T 22239-2019 8.1.4.7/8: authentication data kept
confidential in storage).

django-otp keeps `TOTPDevice.key` in clear, in a varchar(80) (django-otp#67); our proxy model
(models.SealedTOTPDevice) stores this module's sealed form there instead. Fernet's tokens are
too long for that column (~140 characters for a 20-byte key), so the form is AES-256-GCM:
"g1." + base64url(nonce ‖ ciphertext ‖ tag), 67 characters for a 20-byte key.

Keys: settings.TWO_FACTOR_KEYS, or SECRET_KEY and SECRET_KEY_FALLBACKS when that is empty;
each is stretched with HKDF. The first key seals; every key opens, so a key can be rotated
(`manage.py reseal_two_factor`) without locking anyone out.

Recovery codes need no opening: only a keyed digest is stored (django-otp's StaticToken holds
up to 16 characters: the first 16 hex digits of HMAC-SHA256 over the normalised code, which is
how our own recovery codes were stored before, so they carried over unchanged).
"""

import base64
import binascii
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

SEALED_PREFIX = "g1."
NONCE_BYTES = 12
TAG_BYTES = 16
COLUMN_LENGTH = 80  # otp_totp.TOTPDevice.key
# The sealed value names what it is for: a value copied into another column does not open.
ASSOCIATED_DATA = b"jiyue: otp_totp key"
RECOVERY_DIGEST_LENGTH = 16  # otp_static.StaticToken.token


class UnsealError(Exception):
    """A sealed key none of the configured keys opens."""


def _keys() -> tuple[str, ...]:
    keys = settings.TWO_FACTOR_KEYS or [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return tuple(keys)


def _derive(key: str, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(key.encode())


@lru_cache(maxsize=4)
def _ciphers(keys: tuple[str, ...]) -> tuple[AESGCM, ...]:
    return tuple(AESGCM(_derive(k, b"jiyue: two-factor keys at rest (AES-GCM)")) for k in keys)


def seal(secret: bytes) -> str:
    nonce = os.urandom(NONCE_BYTES)
    sealed = _ciphers(_keys())[0].encrypt(nonce, secret, ASSOCIATED_DATA)
    value = SEALED_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii").rstrip("=")
    if len(value) > COLUMN_LENGTH:
        raise ValueError(
            f"a {len(secret)}-byte key sealed is {len(value)} characters, more than the "
            f"{COLUMN_LENGTH} of django-otp's key column: use keys of at most 29 bytes"
        )
    return value


def unseal(sealed: str) -> bytes:
    payload = sealed.removeprefix(SEALED_PREFIX)
    try:
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if not is_sealed(sealed) or len(raw) <= NONCE_BYTES + TAG_BYTES:
        raise UnsealError(
            "this is not a sealed two-factor key: reset the user's authenticator "
            "so they enrol again"
        )
    for cipher in _ciphers(_keys()):
        try:
            return cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], ASSOCIATED_DATA)
        except InvalidTag:
            continue
    raise UnsealError(
        "a two-factor key cannot be unsealed with the configured keys: put the key it was "
        "sealed with back into TWO_FACTOR_KEYS (or SECRET_KEY_FALLBACKS), or reset the "
        "user's authenticator so they enrol again"
    )


def reseal(sealed: str) -> str:
    """The same key sealed with the first key (after a rotation)."""
    return seal(unseal(sealed))


def is_sealed(value: str) -> bool:
    return value.startswith(SEALED_PREFIX)


# --- recovery codes ------------------------------------------------------------------------


def _normalised(code: str) -> bytes:
    return str(code).replace("-", "").replace(" ", "").lower().encode()


def recovery_digest(code: str, key: str | None = None) -> str:
    """What is stored for a recovery code: it proves a code without revealing it."""
    key = settings.SECRET_KEY if key is None else key
    return hmac.new(key.encode(), _normalised(code), hashlib.sha256).hexdigest()[
        :RECOVERY_DIGEST_LENGTH
    ]


def recovery_digests(code: str) -> list[str]:
    """The digests a code may be stored under: SECRET_KEY's, then each fallback's, so rotating
    SECRET_KEY the Django way keeps codes issued before."""
    return [
        recovery_digest(code, key) for key in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    ]


# --- before django-otp: Fernet-sealed base32 secrets (security.TwoFactorDevice) -------------
# Only migration 0003 (and its reverse) uses these: the old table is gone after it.

LEGACY_PREFIX = "gAAAAA"  # Fernet's version byte 0x80, base64-encoded


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet(
        [
            Fernet(base64.urlsafe_b64encode(_derive(k, b"jiyue: two-factor secrets at rest")))
            for k in keys
        ]
    )


def legacy_unseal(sealed: str) -> str:
    """The base32 secret of a pre-django-otp device."""
    try:
        return _fernet(_keys()).decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise UnsealError(
            "an old two-factor secret opens with none of the configured keys"
        ) from None


def legacy_seal(secret: str) -> str:
    return _fernet(_keys()).encrypt(secret.encode()).decode("ascii")
