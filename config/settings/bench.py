"""`make bench`: its own database (jiyue_bench), rebuilt by each run; production-like flags."""

import os

os.environ.setdefault("ALLOW_LOCALHOST_DOMAINS", "1")

from config.database import database_settings  # noqa: E402

from .base import *  # noqa: E402,F403

DEBUG = False
DATABASES = {"default": database_settings(BASE_DIR, name="jiyue_bench")}  # noqa: F405
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING["loggers"]["jiyue"]["level"] = "WARNING"  # noqa: F405
