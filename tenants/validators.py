"""V4: a government site's domain says what it is.

ASCII (English) domains end in `.gov.cn`; Chinese (IDN) domains end in `.cn`. Development
and the demo may use `*.localhost` when ALLOW_LOCALHOST_DOMAINS is on.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")

DOMAIN_RULE = (
    "英文域名须以 .gov.cn 结尾，中文域名须以 .cn 结尾"
    " (ASCII domains must end in .gov.cn, Chinese domains in .cn)."
)


def normalise_domain(value: str) -> str:
    """The form stored and matched against the Host header: lower-case ASCII (punycode)."""
    domain = (value or "").strip().lower().rstrip(".")
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain


def display_domain(value: str) -> str:
    """The form people read: 中文 labels instead of punycode."""
    try:
        return value.encode("ascii").decode("idna")
    except UnicodeError:
        return value


def _is_ascii(value: str) -> bool:
    return all(ord(c) < 128 for c in value)


def validate_site_domain(value: str) -> None:
    domain = (value or "").strip().lower().rstrip(".")
    if not domain or len(domain) > 253 or ":" in domain or "/" in domain or " " in domain:
        raise ValidationError(f"“{value}” 不是有效的域名。{DOMAIN_RULE}", code="invalid")
    try:
        ascii_form = domain.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValidationError(f"“{value}” 不是有效的域名。{DOMAIN_RULE}", code="invalid") from exc
    labels = ascii_form.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise ValidationError(f"“{value}” 不是有效的域名。{DOMAIN_RULE}", code="invalid")

    if domain.endswith(".localhost") or domain == "localhost":
        if getattr(settings, "ALLOW_LOCALHOST_DOMAINS", False):
            return
        raise ValidationError(
            f"“{value}”：.localhost 域名仅用于开发和演示 (set ALLOW_LOCALHOST_DOMAINS). {DOMAIN_RULE}",
            code="localhost",
        )
    if "xn--" in domain:
        domain = display_domain(domain)
    if _is_ascii(domain):
        if not domain.endswith(".gov.cn"):
            raise ValidationError(f"“{value}”：{DOMAIN_RULE}", code="not_gov_cn")
    elif not domain.endswith(".cn"):
        raise ValidationError(f"“{value}”：{DOMAIN_RULE}", code="not_cn")
