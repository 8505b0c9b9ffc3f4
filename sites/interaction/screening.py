"""The screen every public submission passes before a moderator reads it.

Two parts:
- spam rules of this app (links, long runs of one character, the same text again, too many
  lines of the same text): `spam_reasons(text)`;
- sensitive words from the platform's matcher (security.screening: the platform's and the
  site's dictionaries, edited by operators and webmasters, folded for full/half width and
  Traditional/Simplified): `sensitive_hits(text)`.

Hits never reject a submission on their own: everything is held for moderation (严格审理)
and the moderator sees the hits beside the text.
"""

import hashlib
import re

from django.conf import settings

from security.audit.context import client_ip
from security.screening.services import check_text

LINK = re.compile(r"(https?://|www\.|\b[a-z0-9-]+\.(com|net|cn|org|top|xyz|cc)\b)", re.I)
RUN = re.compile(r"(.)\1{7,}", re.S)
MAX_LINKS = 0


def address_key(request) -> str:
    """A keyed hash of the client's address: enough to count submissions, not to store it."""
    address = client_ip(request) or "unknown"
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:40]


def contact_key(contact: str) -> str:
    """The contact as limits compare it: no spaces or dashes, lower case."""
    return re.sub(r"[\s\-()（）]", "", contact or "").lower()


def spam_reasons(text: str) -> list[str]:
    reasons = []
    links = LINK.findall(text or "")
    if len(links) > MAX_LINKS:
        reasons.append(f"含链接 {len(links)} 处")
    if RUN.search(text or ""):
        reasons.append("同一字符连续重复")
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(lines) >= 4 and len(set(lines)) <= len(lines) // 2:
        reasons.append("大量重复行")
    return reasons


def sensitive_hits(text: str) -> list[str]:
    """The sensitive terms in `text`, as written (the current site's dictionaries)."""
    findings = check_text(text or "", field="submission", label="公众提交内容")
    return list(dict.fromkeys(f.text for f in findings if f.kind == "sensitive"))


def screen(text: str) -> list[str]:
    """Everything a moderator should look at in this text, as short Chinese phrases."""
    hits = [f"敏感词：{word}" for word in sensitive_hits(text)]
    return hits + spam_reasons(text)
