"""`make test`: real PostgreSQL schemas (embedded unless DATABASE_URL is set)."""

import os

os.environ.setdefault("ALLOW_LOCALHOST_DOMAINS", "1")

from .base import *  # noqa: E402,F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; never in prod
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
# The page cache is off unless a test turns it on (tests/sites/pagecache): a page cached in
# one test must not leak into another whose transaction was rolled back without a purge.
PAGECACHE_ENABLED = False
CACHES["pages"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",  # noqa: F405
                   "LOCATION": "jiyue-test-pages", "OPTIONS": {"MAX_ENTRIES": 5000}}
