"""`manage.py check --deploy` with production settings: clean (remaining warnings are
silenced with reasons in config/settings/production.py)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean_with_production_settings():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},  # set by e2e
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 20 + "-production-like-secret-key-with-entropy-0f9a8b7c6d5e4f3a2b1c",
        "DATABASE_URL": "postgres://jiyue@127.0.0.1:5432/jiyue",
        "ALLOWED_HOSTS": ".gov.cn",
        "CONSOLE_HOST": "console.example.gov.cn",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
