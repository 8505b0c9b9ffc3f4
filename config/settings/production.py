"""Production: refuses to start without the settings a real deployment needs."""

import os

from django.core.exceptions import ImproperlyConfigured

for required in ("SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "CONSOLE_HOST"):
    if not os.environ.get(required):
        raise ImproperlyConfigured(
            f"You must set the {required} environment variable (see README)."
        )

from .base import *  # noqa: E402,F403

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)  # noqa: F405
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = False  # each site's domain decides for itself
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"
SITE_PUBLIC_PORT = int(os.environ.get("SITE_PUBLIC_PORT", "443"))

# `manage.py check --deploy` leaves three warnings, each a decision (issue 4):
SILENCED_SYSTEM_CHECKS = [
    *SILENCED_SYSTEM_CHECKS,  # noqa: F405 (base.py's, each with its reason)
    # W005 HSTS includeSubDomains: a site's domain (e.g. hbw.wuhai.gov.cn) has subdomains run
    # by other systems of that body, some still on plain HTTP; forcing HTTPS on them from here
    # would break them. Each body turns it on in its own proxy when ready.
    "security.W005",
    # W019 X-Frame-Options SAMEORIGIN, not DENY: Wagtail's admin shows page previews in an
    # iframe of the same origin. Framing by other origins is still refused (and by CSP
    # frame-ancestors 'self').
    "security.W019",
    # W021 HSTS preload: the preload list is a near-irreversible commitment for a whole
    # registrable domain; the owner of each .gov.cn domain decides, not the platform.
    "security.W021",
]

# Monitoring (issue 16): production checks the outbound links found on the sites, politely.
MONITORING_CHECK_OUTBOUND = env_bool("MONITORING_CHECK_OUTBOUND", True)  # noqa: F405
