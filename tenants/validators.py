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


# 网站标识码 (政府网站发展指引): 10 characters, a local site's 10 digits (its division code,
# then a serial) or a State Council department's "bm" and 8 digits.
_SITE_CODE = re.compile(r"^(\d{10}|bm\d{8})$")
SITE_CODE_RULE = (
    "网站标识码应为 10 位：地方政府网站为 10 位数字（如 1503000001），"
    "国务院部门网站为 bm 加 8 位数字。"
)
# 公安机关备案号: "蒙公网安备 15030202000001号" (province, 公网安备, 14 digits, 号).
_POLICE_RECORD = re.compile(r"^[\u4e00-\u9fff]{1,2}公网安备\s?\d{14}号$")
POLICE_RECORD_RULE = (
    "公安机关备案号格式应为“蒙公网安备 15030202000001号”（省份简称、公网安备、14 位数字、号）。"
)


def validate_site_code(value: str) -> None:
    if not _SITE_CODE.match((value or "").strip()):
        raise ValidationError(f"“{value}”：{SITE_CODE_RULE}", code="site_code")


def validate_police_record_number(value: str) -> None:
    if value and not _POLICE_RECORD.match(value.strip()):
        raise ValidationError(f"“{value}”：{POLICE_RECORD_RULE}", code="police_record")
