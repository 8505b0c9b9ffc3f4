"""Production: refuses to start without the settings a real deployment needs."""

import os

from django.core.exceptions import ImproperlyConfigured

for required in ("SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "CONSOLE_HOST"):
    if not os.environ.get(required):
        raise ImproperlyConfigured(f"You must set the {required} environment variable (see README).")

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
