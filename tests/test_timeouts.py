"""Every test has a bound: a hung test fails with its threads' stacks, the run goes on."""

import subprocess
import sys
import textwrap


def test_the_suite_runs_with_a_bound_on_every_test(request):
    assert request.config.pluginmanager.hasplugin("timeout")
    assert 0 < float(request.config.getini("timeout")) <= 900


def test_a_test_past_its_bound_fails_and_says_where_it_stood(tmp_path):
    (tmp_path / "test_hangs.py").write_text(
        textwrap.dedent(
            """
            import threading

            def test_waits_for_ever():
                threading.Event().wait()
            """
        )
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:django", "-p", "no:cacheprovider",
         "-o", "timeout=2", str(tmp_path / "test_hangs.py")],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout[-2000:]
    assert "Timeout" in result.stdout
    assert "test_waits_for_ever" in result.stdout
