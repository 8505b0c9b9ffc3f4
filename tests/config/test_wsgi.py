"""The web process is ready before its first request."""

import os
import subprocess
import sys


def test_the_word_dictionary_is_loaded_when_the_web_process_starts():
    # Loaded lazily, the word dictionary made the first visitor's search take ~1 s (jieba's).
    code = "import sys, config.wsgi; print('rjieba' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
    )
    assert out.stdout.strip().splitlines()[-1:] == ["True"], out.stderr[-2000:]
