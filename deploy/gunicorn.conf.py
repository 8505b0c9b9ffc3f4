"""gunicorn settings for `make serve` and the systemd unit (`gunicorn -c deploy/gunicorn.conf.py`).

Environment: PORT (8000), BIND (127.0.0.1:$PORT), WEB_CONCURRENCY (workers, default
2 × cores), GUNICORN_THREADS (4), GUNICORN_ACCESS_LOG (unset = off; "-" = stderr).
"""

import multiprocessing
import os

wsgi_app = "config.wsgi:application"
bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", str(max(2, multiprocessing.cpu_count() * 2))))
# Threads give keep-alive connections (nginx upstream keepalive, load generators) and
# overlap database waits; each thread holds its own database connection (CONN_MAX_AGE).
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 5
timeout = 30
graceful_timeout = 20
# Recycle workers now and then: bounds slow leaks (template caches of hundreds of sites).
# Counted in requests, so it must be large: cached pages are answered at thousands a second,
# and a worker restarted every few seconds answers its next requests cold.
max_requests = 100_000
max_requests_jitter = 10_000
# Load Django once in the master: workers fork ready (faster start, shared memory), and the
# master keeps the embedded PostgreSQL running while workers come and go.
preload_app = True
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "jiyue-web"
# gunicorn ≥ 23 opens a control socket, by default one per user (~/.gunicorn): give each
# instance its own so several servers (a benchmark beside `make serve`) can coexist.
_run_dir = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "var", "run")
os.makedirs(_run_dir, exist_ok=True)
control_socket = os.path.join(_run_dir, f"gunicorn-{bind.rsplit(':', 1)[-1]}.ctl")


def post_fork(server, worker):
    # Never share a database connection opened in the master with the workers.
    from django.db import connections  # gunicorn reads this file before Django is set up

    connections.close_all()
