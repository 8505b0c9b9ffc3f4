"""`make run`: the demo city on embedded defaults, served at *.localhost."""

import os

os.environ.setdefault("ALLOW_LOCALHOST_DOMAINS", "1")
os.environ.setdefault("SITE_PUBLIC_PORT", os.environ.get("PORT", "8000"))

from .base import *  # noqa: E402,F403

DEBUG = os.environ.get("DEBUG", "1") == "1"
WAGTAILADMIN_BASE_URL = f"http://portal.localhost:{SITE_PUBLIC_PORT}"  # noqa: F405
# Template and code edits show at once; `make serve` runs with the page cache.
PAGECACHE_ENABLED = env_bool("PAGECACHE", False)  # noqa: F405
# Probes and link checks reach this very server (runserver on PORT), with each site's Host.
MONITORING_BASE_URL = os.environ.get("MONITORING_BASE_URL", f"http://127.0.0.1:{SITE_PUBLIC_PORT}")  # noqa: F405
MONITORING_LINKCHECK_CONCURRENCY = 4  # runserver: one thread and one database connection each
# runserver answers each request on a new thread: a persistent connection is left open by every
# one of them (Django's advice: not in development). The first link-check round of `make run`
# ran the embedded PostgreSQL out of connections ("too many clients", 500s) with 60 s here.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
