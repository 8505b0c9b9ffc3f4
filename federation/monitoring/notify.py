"""Mail to a site's responsible people on record (O1, Z3): the registry's contact address and
the site's active webmasters — the same people the emergency plan notifies, so the addresses
come from one place (tenants.incidents.notify)."""

from federation.library.links import absolute_url
from tenants.incidents.notify import mail_office, mail_site, responsible_emails

__all__ = ["admin_link", "mail_office", "mail_site", "responsible_emails"]


def admin_link(website, path: str) -> str:
    return absolute_url(website, path) if path else ""
