"""`make bench`: its own database (jiyue_bench), rebuilt by each run; production-like flags."""

import os
from pathlib import Path

os.environ.setdefault("ALLOW_LOCALHOST_DOMAINS", "1")
# bench_serve's gunicorn and the bench process (which publishes and purges) share this
# page cache; it is separate from `make serve`'s.
os.environ.setdefault(
    "PAGECACHE_DIR", str(Path(__file__).resolve().parents[2] / "var" / "cache" / "bench-pages")
)

from config.database import database_settings  # noqa: E402

from .base import *  # noqa: E402,F403

DEBUG = False
# BENCH_DATABASE: bench_serve keeps its many-sites city in a second database beside this one.
_name = os.environ.get("BENCH_DATABASE", "jiyue_bench")
DATABASES = {"default": database_settings(BASE_DIR, name=_name)}  # noqa: F405
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING["loggers"]["jiyue"]["level"] = "WARNING"  # noqa: F405
# In-process renders measure rendering (bench_render); bench_serve turns the cache on for
# its gunicorn with PAGECACHE=1.
PAGECACHE_ENABLED = env_bool("PAGECACHE", False)  # noqa: F405
