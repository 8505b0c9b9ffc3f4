"""Mail kept on disk, one folder per site (EMAIL_URL unset: config/email.py).

Each message is one .eml file under SITE_MAIL_DIR/<schema>/, named by the time it was sent;
the schema is the one the sending code runs in, so a site's webmaster lists only the mail
sent to that site's users (the 邮件 view), never another site's.
"""

import datetime
import email
import email.policy
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.utils import timezone

_SCHEMA = re.compile(r"^[a-z0-9_]+$")
_NAME = re.compile(r"^\d{8}T\d{6}\d{6}-[0-9a-f]{32}\.eml$")


def site_mail_dir(schema_name: str) -> Path:
    if not _SCHEMA.match(schema_name or ""):
        raise ValueError(f"not a schema name: {schema_name!r}")
    return Path(settings.SITE_MAIL_DIR) / schema_name


class SiteMailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        folder = site_mail_dir(connection.schema_name)
        folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
            path = folder / f"{stamp}-{uuid.uuid4().hex}.eml"
            path.write_bytes(message.message().as_bytes(linesep="\n"))
            sent += 1
        return sent


@dataclass
class StoredMail:
    name: str
    subject: str
    to: str
    sender: str
    sent_at: datetime.datetime | None
    body: str


def _read(path: Path) -> StoredMail:
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    part = parsed.get_body(preferencelist=("plain", "html"))
    try:
        sent_at = email.utils.parsedate_to_datetime(parsed["Date"]) if parsed["Date"] else None
    except (TypeError, ValueError):
        sent_at = None
    if sent_at is not None and timezone.is_naive(sent_at):
        # Django writes "-0000" (UTC, source unknown), which parses naive: it is UTC.
        sent_at = sent_at.replace(tzinfo=datetime.UTC)
    return StoredMail(
        name=path.name,
        subject=str(parsed["Subject"] or ""),
        to=str(parsed["To"] or ""),
        sender=str(parsed["From"] or ""),
        sent_at=sent_at,
        body=part.get_content() if part is not None else "",
    )


def stored_mail(schema_name: str, limit: int = 200) -> list[StoredMail]:
    """The newest mail of one site first."""
    folder = site_mail_dir(schema_name)
    if not folder.is_dir():
        return []
    names = sorted((p.name for p in folder.iterdir() if _NAME.match(p.name)), reverse=True)
    return [_read(folder / name) for name in names[:limit]]


def one_mail(schema_name: str, name: str) -> StoredMail | None:
    if not _NAME.match(name):
        return None
    path = site_mail_dir(schema_name) / name
    return _read(path) if path.is_file() else None
