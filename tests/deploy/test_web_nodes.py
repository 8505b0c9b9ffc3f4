"""Two web nodes behind nginx (deploy/nginx/jiyue.conf, deploy/gunicorn.conf.py).

Two gunicorn servers on loopback, both on the test database, nginx in front with the
deploy/ configuration. Requests reach both nodes, a session opened through one node is
honoured by the other, and when one node dies the site keeps serving from the other.
"""

import re
import signal
import time
from contextlib import ExitStack
from http.cookies import SimpleCookie

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django_tenants.utils import schema_context

from tests.deployment import (
    committed_sites,
    database_url,
    fetch,
    free_port,
    gunicorn,
    nginx,
    post,
    serve_environment,
    stop,
)

pytestmark = pytest.mark.deployment

ALPHA = "alpha.localhost"
EDITOR, PASSWORD = "node-test-editor", "Two-Nodes-One-Session-4"


@pytest.fixture
def editor(sites):
    """An administrator of alpha whose password the nodes can check: the test settings hash
    with MD5 for speed, which config.settings.serve does not accept. Removed afterwards."""
    with schema_context("alpha"):
        user = get_user_model().objects.create(
            username=EDITOR,
            password=PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt()),
            is_superuser=True,
            is_staff=True,
        )
    yield user
    with schema_context("alpha"):
        get_user_model().objects.filter(pk=user.pk).delete()


@pytest.fixture
def sites(django_db_setup, django_db_blocker):
    with committed_sites(django_db_blocker) as found:
        yield found


def served_by(log, marker: str) -> int:
    """How many requests carrying `marker` a node's access log shows."""
    return log.read_text(errors="replace").count(marker)


def logged_soon(condition, timeout: float = 5.0) -> bool:
    """`condition()` over the access logs, given the nodes a moment to write their last lines."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def cookies_from(headers, jar: dict) -> dict:
    for value in headers.get_all("Set-Cookie") or []:
        for name, morsel in SimpleCookie(value).items():
            jar[name] = morsel.value
    return jar


def test_two_gunicorn_nodes_behind_nginx_share_the_load_and_sessions_and_survive_one_dying(
    editor, tmp_path
):
    db = connection.settings_dict
    env = serve_environment(
        database_url({**db, "HOST": db["HOST"] or "127.0.0.1", "PORT": db["PORT"] or "5432"}),
        GUNICORN_ACCESS_LOG="-",  # each node's access log: which requests it served
        PAGECACHE_DIR=str(tmp_path / "pages"),  # one page cache for both (one machine here)
        TWO_FACTOR_ENFORCED="0",  # the session is the point here; 2FA has its own tests
    )
    edge = free_port(8170, 8175)  # the replica test (maybe running beside) uses 8176–8179
    first = free_port(edge + 1, 8175)
    second = free_port(first + 1, 8175)
    logs = [tmp_path / "node-1.log", tmp_path / "node-2.log"]
    with ExitStack() as stack:
        node_one = stack.enter_context(gunicorn(first, env, log=logs[0]))
        stack.enter_context(gunicorn(second, env, log=logs[1]))
        stack.enter_context(nginx(edge, [first, second], tmp_path / "nginx"))

        # Requests go to both nodes (distinct URLs: nginx's micro-cache answers none of them).
        for n in range(8):
            status, _, _ = fetch(edge, ALPHA, f"/?spread={n}")
            assert status == 200
        assert logged_soon(lambda: all(served_by(log, "spread=") > 0 for log in logs))

        # A session opened through one node is honoured by the other.
        jar = {}
        status, headers, page = fetch(edge, ALPHA, "/admin/login/")
        assert status == 200
        cookies_from(headers, jar)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, headers = post(
            edge,
            ALPHA,
            "/admin/login/",
            {"username": EDITOR, "password": PASSWORD, "csrfmiddlewaretoken": token},
            jar,
        )
        assert status == 302, "sign-in failed"
        cookies_from(headers, jar)
        assert "jiyue_session" in jar
        cookie = {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}
        before = [served_by(log, "GET /admin/?session=") for log in logs]
        for n in range(6):
            status, _, page = fetch(edge, ALPHA, f"/admin/?session={n}", cookie)
            assert status == 200, f"request {n}: not signed in ({status})"  # else 302 to login
        assert logged_soon(
            lambda: all(
                served_by(log, "GET /admin/?session=") > seen
                for log, seen in zip(logs, before, strict=True)
            )
        ), "one node answered every request"

        # One node dies (killed, no goodbye): the site keeps serving, signed-in people stay in.
        stop(node_one, signal.SIGKILL)
        for n in range(6):
            status, _, _ = fetch(edge, ALPHA, f"/?after-death={n}")
            assert status == 200, f"request {n} after a node died: {status}"
            status, _, page = fetch(edge, ALPHA, f"/admin/?after-death={n}", cookie)
            assert status == 200, f"request {n} after a node died: signed out ({status})"
        # A node writes its access-log line just after the response: wait for the last one.
        assert logged_soon(lambda: served_by(logs[1], "after-death=") == 12)
