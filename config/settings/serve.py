"""`make serve`: production behaviour on one machine, without TLS.

What production.py does, minus what needs a real deployment (TLS, a database server):
DEBUG off, gunicorn workers, static files collected into var/static with hashed names
served by WhiteNoise with far-future headers, the page cache on (Redis when REDIS_URL is
set, otherwise files under var/cache/pages shared by every worker). The database is the
embedded PostgreSQL unless DATABASE_URL is set. Sites answer at *.localhost:$PORT.
"""

import os

os.environ.setdefault("ALLOW_LOCALHOST_DOMAINS", "1")
os.environ.setdefault("SITE_PUBLIC_PORT", os.environ.get("PORT", "8000"))

from .base import *  # noqa: E402,F403

DEBUG = False
PAGECACHE_ENABLED = env_bool("PAGECACHE", True)  # noqa: F405
# Only collected files: their hashed names let WhiteNoise mark them immutable for a year.
WHITENOISE_USE_FINDERS = False
WHITENOISE_MAX_AGE = 3600  # files without a hash in their name (favicon.ico, robots.txt)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"
# Plain HTTP on loopback: secure-only cookies would never come back. Behind TLS, use
# production.py (or set HTTPS=1 here).
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("HTTPS", False)  # noqa: F405
WAGTAILADMIN_BASE_URL = f"http://portal.localhost:{SITE_PUBLIC_PORT}"  # noqa: F405
MONITORING_BASE_URL = os.environ.get("MONITORING_BASE_URL", f"http://127.0.0.1:{SITE_PUBLIC_PORT}")  # noqa: F405
