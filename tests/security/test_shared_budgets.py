"""Rate-limit budgets and lockout counts are shared by every web process (gunicorn's
workers), without Redis.

Two separate Python processes, each with its own Django and its own connection (as two
gunicorn workers are), send the same client's requests to the same site at the same time.
"""

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

# One web worker: its own process, its own database connection (to the committed test
# database, where alpha was provisioned once per session), the same settings.
WORKER = """
import json, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
from django.conf import settings
settings.DATABASES["default"].update(json.loads(os.environ["JIYUE_TEST_DATABASE"]))
import django
django.setup()
settings.RATE_LIMITS = {"search": (10, 60), "login": (1000, 60)}
# One rate-limit window for the whole exchange, the same in both workers: on a loaded machine
# the 20 requests can straddle the end of a window, which restarts the budget (14 answers once).
# This test is about sharing one count between processes, not about windows.
import types
import django_ratelimit.core
django_ratelimit.core.time = types.SimpleNamespace(time=lambda: float(os.environ["RATELIMIT_NOW"]))
from django.test import Client
client = Client(HTTP_HOST="alpha.localhost", REMOTE_ADDR=os.environ["CLIENT_ADDRESS"])
print("ready", flush=True)
sys.stdin.readline()  # both workers start sending together
if os.environ["SEND"] == "searches":
    answers = [client.get("/", {"q": "供暖"}).status_code for _ in range(10)]
else:
    answers = [client.post("/admin/login/", {"username": os.environ["SIGN_IN_NAME"], "password": "wrong-guess"}).status_code
               for _ in range(3)]
print(json.dumps(answers))
"""


def run_two_workers(**env) -> list[int]:
    """Start two worker processes, let them send together, return all their status codes."""
    database = {
        key: connection.settings_dict[key] for key in ("NAME", "USER", "PASSWORD", "HOST", "PORT")
    }
    env = {
        **os.environ,
        "JIYUE_TEST_DATABASE": json.dumps(database),
        "RATELIMIT_NOW": str(int(time.time())),
        **env,
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER],
            cwd=ROOT,
            env=env,
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    for worker in workers:
        assert worker.stdout.readline().strip() == "ready", worker.stderr.read()[-2000:]
    for worker in workers:  # both set up: let them go at once
        worker.stdin.write("go\n")
        worker.stdin.flush()
    answers = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err[-2000:]
        answers += json.loads(out.strip().splitlines()[-1])
    return answers


def unique_address() -> str:
    # The workers commit their counters: a fresh address keeps runs apart.
    number = uuid.uuid4().int
    return f"10.{number % 250}.{number // 250 % 250}.{number // 62500 % 250}"


@pytest.mark.django_db
def test_two_processes_share_one_search_budget_per_client_without_redis(alpha):
    """The budget is 10 per minute: together the workers get exactly 10 answers and are refused
    the rest. With counters in each process's memory (Django's local-memory cache) each would
    get 10."""
    assert not settings.REDIS_URL and "ratelimit" in settings.CACHES
    answers = run_two_workers(SEND="searches", CLIENT_ADDRESS=unique_address())
    assert answers.count(200) == 10 and answers.count(429) == 10, answers


@pytest.mark.django_db
def test_failures_in_two_processes_add_up_to_one_lockout(alpha):
    from django_tenants.utils import schema_context

    from security import lockout

    username = f"shared-{uuid.uuid4().hex[:10]}"
    address = unique_address()
    answers = run_two_workers(SEND="passwords", CLIENT_ADDRESS=address, SIGN_IN_NAME=username)
    assert answers == [200] * 6  # each refused; neither worker saw five failures of its own
    with schema_context("alpha"):
        lock = lockout.current_lock(username, address)
        assert lock is not None and lock.scope == "account_ip"
