"""Authenticator secrets sealed at rest.

A TOTP secret cannot be hashed like a password or a recovery code: verifying a code needs the
secret itself. So it is stored encrypted (Fernet: AES-128-CBC with an HMAC-SHA256 tag), and a
copy of the database (a backup file, a schema dump, a read through some flaw) does not give
away anyone's second factor; the key lives in the process's settings, not in the database.
(GB/T 22239-2019 8.1.4.7/8: authentication data kept confidential in storage.)

Keys: settings.TWO_FACTOR_KEYS, or SECRET_KEY and SECRET_KEY_FALLBACKS when that is empty;
each is stretched with HKDF into a Fernet key. The first key seals; every key unseals, so a
key can be rotated without locking anyone out.
"""

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

# What every sealed value starts with: Fernet's version byte 0x80, base64-encoded.
SEALED_PREFIX = "gAAAAA"


class UnsealError(Exception):
    """A sealed secret none of the configured keys opens."""


def _keys() -> tuple[str, ...]:
    keys = settings.TWO_FACTOR_KEYS or [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return tuple(keys)


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    def derive(key: str) -> Fernet:
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                    info=b"jiyue: two-factor secrets at rest")
        return Fernet(base64.urlsafe_b64encode(hkdf.derive(key.encode())))

    return MultiFernet([derive(k) for k in keys])


def seal(secret: str) -> str:
    return _fernet(_keys()).encrypt(secret.encode()).decode("ascii")


def unseal(sealed: str) -> str:
    return _opened(lambda fernet: fernet.decrypt(sealed.encode())).decode()


def reseal(sealed: str) -> str:
    """The same secret sealed with the first key (after a rotation)."""
    return _opened(lambda fernet: fernet.rotate(sealed.encode())).decode("ascii")


def _opened(use):
    try:
        return use(_fernet(_keys()))
    except InvalidToken:
        raise UnsealError(
            "a two-factor secret cannot be unsealed with the configured keys: put the key it "
            "was sealed with back into TWO_FACTOR_KEYS (or SECRET_KEY_FALLBACKS), or reset the "
            "user's authenticator so they enrol again") from None


def is_sealed(value: str) -> bool:
    return value.startswith(SEALED_PREFIX)
