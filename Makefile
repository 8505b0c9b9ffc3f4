# 集约 Jiyue — the few commands people type. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
CHROMIUM ?= /usr/bin/chromium
export PORT
# Python keeps each module's compiled bytecode (__pycache__, ignored by git). Where the
# environment says not to (PYTHONDONTWRITEBYTECODE, set on this machine kind), every process the
# platform starts compiled Django, Wagtail and the project from source again: 4.3 s of a
# `django.setup()`'s 8.3 s, paid by setup_platform, the demo's seeding, both runserver processes,
# every worker and every process the tests start.
unexport PYTHONDONTWRITEBYTECODE

.DEFAULT_GOAL := help
.PHONY: help install run serve test test-fast lint format bench services browser clean

help: ## list the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

install: $(STAMP) ## create .venv and install the project with its test tools

# uv installs the same packages as pip in a third of the time (it downloads and unpacks in
# parallel); pip puts it into the venv first. Where uv cannot be had, or fails, pip installs.
PIP := $(PY) -m pip --quiet --disable-pip-version-check
$(STAMP): pyproject.toml
	@echo "==> Installing Python packages into $(VENV) (first time: about 30 s)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@if { test -x $(VENV)/bin/uv || $(PIP) install uv >/dev/null 2>&1; } && $(VENV)/bin/uv --version >/dev/null 2>&1; then \
	  $(VENV)/bin/uv pip install --quiet --python $(PY) -e '.[test]' \
	  || { echo "!! uv could not install the packages: trying pip (about a minute)"; \
	       $(PIP) install -e '.[test]'; }; \
	else echo "!! uv could not be installed: installing with pip (about a minute)"; \
	  $(PIP) install --upgrade pip && $(PIP) install -e '.[test]'; fi
	@rm -f $(VENV)/.installed-* && touch $@

run: install ## start the demo city at http://*.localhost:$(PORT) (Ctrl-C stops)
	@$(PY) manage.py setup_platform
	@$(PY) manage.py seed_demo
	@$(PY) manage.py runserver 127.0.0.1:$(PORT)

SERVE := DJANGO_SETTINGS_MODULE=config.settings.serve
serve: install ## production-like: gunicorn workers, static files, page cache at http://*.localhost:$(PORT) (SEED=0: no demo)
	@$(SERVE) $(PY) manage.py setup_platform
	@if [ "$(SEED)" != "0" ]; then $(SERVE) $(PY) manage.py seed_demo --quiet; fi
	@$(SERVE) $(PY) manage.py collectstatic --noinput -v0
	@$(SERVE) $(PY) manage.py purge_pages
	@echo "==> gunicorn on http://127.0.0.1:$(PORT) (sites at http://portal.localhost:$(PORT)/ …; see deploy/README.md)"
	@$(SERVE) exec $(VENV)/bin/gunicorn -c deploy/gunicorn.conf.py

# Tests run in TEST_WORKERS processes (pytest-xdist), each with its own test database and
# media folder; a test module runs whole in one process (--dist loadfile: a module that starts
# a Celery worker owns its Redis database and queue). TEST_WORKERS=0: one process.
TEST_WORKERS ?= 2
PYTEST := $(PY) -m pytest --durations=15 $(if $(filter-out 0,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadfile)

test: install browser services node_modules/.installed lint ## install what tests need, then lint, checks and every test
	@DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py check --fail-level WARNING
	@DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run
	@# Browser tests in a session (and test database) of their own: their live server commits what
	@# they publish on the shared test sites, which the other tests in the same worker then saw.
	@$(PYTEST) -m "not e2e" $(PYTEST_ARGS)
	@$(PYTEST) -m e2e $(PYTEST_ARGS)

test-fast: install ## unit and integration tests only (no browser, no worker, no deployment processes)
	@$(PYTEST) -m "not e2e and not worker and not deployment" $(PYTEST_ARGS)

lint: install ## ruff lint and format check, and the layers (import-linter contracts in pyproject.toml)
	@echo "==> ruff check, ruff format --check, lint-imports"
	@$(PY) -m ruff check .
	@$(PY) -m ruff format --check .
	@$(VENV)/bin/lint-imports --no-cache

format: install ## apply ruff's format (make lint checks it)
	@$(PY) -m ruff format .

bench: install ## run the benchmarks (BENCH=<name> for one); figures go to var/bench/latest.json
	@$(PY) -m bench $(BENCH)

node_modules/.installed: package.json
	@if command -v npm >/dev/null; then echo "==> Installing axe-core (accessibility checks)"; \
	  npm install --no-audit --no-fund --silent && touch $@; \
	else echo "!! npm not found: the accessibility tests will be skipped"; fi

browser: ## make sure Debian's Chromium and a Chinese font are installed (end-to-end tests drive it)
	@test -x $(CHROMIUM) || { echo "==> Installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "!! could not install chromium: browser tests will be skipped (needs root + apt)"; }
	@fc-list :lang=zh 2>/dev/null | grep -q . || { echo "==> Installing a Chinese font (Chinese text in the test browser and its screenshots)"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null) \
	  || echo "!! could not install fonts-wqy-microhei: Chinese shows as boxes in browser screenshots"; }

services: ## start Redis for the worker tests; install PgBouncer and nginx for the deployment tests
	@for prog in pgbouncer nginx; do command -v $$prog >/dev/null || test -x /usr/sbin/$$prog || { \
	  echo "==> Installing Debian's $$prog (the deployment tests start their own)"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$prog >/dev/null) \
	  || echo "!! could not install $$prog: its deployment tests will be skipped (needs root + apt)"; }; done
	@if command -v redis-cli >/dev/null && ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then \
	  command -v redis-server >/dev/null && { echo "==> Starting redis-server on 127.0.0.1:6379"; \
	  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null; sleep 0.5; }; fi; true

clean: ## remove the virtualenv and local data (the embedded database included)
	rm -rf $(VENV) var
