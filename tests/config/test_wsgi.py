"""The web process is ready before its first request."""

import os
import subprocess
import sys


def test_the_word_dictionary_is_loaded_when_the_web_process_starts():
    # Loaded lazily, jieba's dictionary made the first visitor's search take ~1 s.
    code = (
        "import config.wsgi; from federation.search import segment; "
        "print(segment._jieba is not None)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
    )
    assert out.stdout.strip().splitlines()[-1:] == ["True"], out.stderr[-2000:]
