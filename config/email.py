"""Mail settings from one URL (EMAIL_URL), or mail kept on disk per site when there is none.

    smtp://user:password@mail.example.gov.cn:587      STARTTLS (the submission port's way)
    smtps://user:password@mail.example.gov.cn:465     TLS from the first byte
    smtp://relay.internal:25?tls=0                     a relay inside the network, plain
User and password are percent-decoded; `from=` sets the sender. Without EMAIL_URL nothing
leaves the machine: each message is written to var/mail/<site schema>/ and listed in that
site's admin (邮件), so a demo or a site without a mail server still shows what was sent.
"""

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

FILE_BACKEND = "sites.core.mail.SiteMailBackend"


def email_settings(url: str, mail_dir: Path) -> dict:
    settings = {"SITE_MAIL_DIR": mail_dir}
    if not url:
        settings["EMAIL_BACKEND"] = FILE_BACKEND
        return settings
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps"}:
        raise ValueError(f"EMAIL_URL must start with smtp:// or smtps://, not {parts.scheme}://")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    ssl = parts.scheme == "smtps"
    settings.update(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST=parts.hostname or "localhost",
        EMAIL_PORT=parts.port or (465 if ssl else 587),
        EMAIL_HOST_USER=unquote(parts.username or ""),
        EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
        EMAIL_USE_SSL=ssl,
        EMAIL_USE_TLS=not ssl and query.get("tls", "1") not in {"0", "false", "no"},
        EMAIL_TIMEOUT=int(query.get("timeout", "10")),
    )
    if query.get("from"):
        settings["DEFAULT_FROM_EMAIL"] = settings["SERVER_EMAIL"] = query["from"]
    return settings
