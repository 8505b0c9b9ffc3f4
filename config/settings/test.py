"""`make test`: real PostgreSQL schemas (embedded unless DATABASE_URL is set)."""

import os

os.environ.setdefault("ALLOW_LOCALHOST_DOMAINS", "1")

from .base import *  # noqa: E402,F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; never in prod
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# WhiteNoise lists every file under STATIC_ROOT whenever a test client loads the middleware.
# The deployment tests collect static files into var/static (`collectstatic` with
# config.settings.serve, a process of their own) while the other worker's clients list it, and
# a file collectstatic replaced vanished under the listing (FileNotFoundError, seen in CI).
# Tests serve the apps' files through the finders (WHITENOISE_USE_FINDERS): a root of their
# own, which nothing writes.
STATIC_ROOT = BASE_DIR / "var" / "test-static"  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# One folder per pytest-xdist worker: each has its own test database, where every worker's
# `alpha` is a different site whose files must not meet.
MEDIA_ROOT = BASE_DIR / "var" / "test-media" / os.environ.get("PYTEST_XDIST_WORKER", "main")  # noqa: F405
CASEWORK_FILES_ROOT = MEDIA_ROOT.parent.parent / "test-casework" / MEDIA_ROOT.name
# The page cache is off unless a test turns it on (tests/pagecache): a page cached in
# one test must not leak into another whose transaction was rolled back without a purge.
PAGECACHE_ENABLED = False
# Spare schemas only where a test asks for them (tests/tenants/test_spares.py): a pool that
# one test's sweep filled would let later tests' sites skip the clone those tests check.
TENANT_SPARE_SCHEMAS = 0
CACHES["pages"] = {  # noqa: F405
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "jiyue-test-pages",
    "OPTIONS": {"MAX_ENTRIES": 5000},
}

# Security (issue 4). Every test client and the live server come from 127.0.0.1, and other
# areas' tests sign webmasters in with force_login: the security suite (tests/security)
# turns these back to production values for its own tests.
TWO_FACTOR_ENFORCED = False
# The address lock would count every test client at once (all 127.0.0.1): accounts only here,
# which axes warns about (W006); tests/security puts the address back.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "axes.W006"]  # noqa: F405
RATE_LIMITS = {name: (limit * 100, period) for name, (limit, period) in RATE_LIMITS.items()}  # noqa: F405
# Monitoring: probes and link checks reach only the loopback servers a test starts and names.
MONITORING_BASE_URL = "http://127.0.0.1:9"  # discard port: refused unless a test says otherwise
