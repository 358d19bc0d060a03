# The two commands of the README: `make run` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# The embedded Redis runs unless REDIS_URL names an existing server.
PROCESSES := $(if $(REDIS_URL),web worker beat,redis web worker beat)

.PHONY: help run test lint typecheck migrations-check pytest browser

help:
	@echo "make run   - install, migrate, load demo data and start Redis, Celery and the web server"
	@echo "make test  - install dev tools and run ruff, lint-imports, mypy, makemigrations --check and pytest"

# Reinstall only when a requirements file changed since the last install.
$(VENV)/.runtime-installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.dev-installed: $(VENV)/.runtime-installed requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

run: $(VENV)/.runtime-installed
	@$(PY) manage.py preflight --web-port $(PORT)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py setup_demo
	@$(PY) manage.py preflight --web-port $(PORT) --announce
	@echo "Starting $(PROCESSES). Press Ctrl-C to stop them all."
	WEB_PORT=$(PORT) exec $(VENV)/bin/honcho --procfile Procfile start $(PROCESSES)

test: $(VENV)/.dev-installed browser lint typecheck migrations-check pytest

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: $(VENV)/.dev-installed
	$(VENV)/bin/mypy

migrations-check: $(VENV)/.dev-installed
	$(PY) manage.py makemigrations --check --dry-run

# pytest exits 5 when it collected nothing: treat that as the failure it is.
pytest: $(VENV)/.dev-installed
	$(VENV)/bin/pytest $(PYTEST_ARGS) || { status=$$?; [ $$status -eq 5 ] && echo "pytest ran no test"; exit $$status; }

# The end-to-end tests drive Debian's Chromium. Install it when missing and possible;
# otherwise those tests report themselves as skipped with the reason.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "Could not install chromium: browser tests will be skipped"; \
	  else echo "chromium not found and not installable here: browser tests will be skipped"; fi; }
