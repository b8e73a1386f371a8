# Lean OKRs — the contracts: make install, make run, make test, make bench.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

# The first Python 3.12+ found: pyenv's versions (as .python-version asks), then PATH.
PYTHON ?= $(shell for p in python3.13 python3.12 $$HOME/.pyenv/versions/3.13*/bin/python3 $$HOME/.pyenv/versions/3.12*/bin/python3 python3 python; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { command -v $$p; break; }; done)

# Development defaults; real environment variables (or a .env file) win.
export DEBUG ?= true
export PYTHONUNBUFFERED := 1

.PHONY: help install run worker test test-fast lint format bench lock clean messages

help:
	@echo "make run     install, migrate, seed the demo and serve web + Celery worker + beat on http://$(HOST):$(PORT)"
	@echo "make test    install what is missing, then ruff and the whole test suite"
	@echo "make test-fast  the suite but for the tests marked slow, on every core (under a minute)"
	@echo "make bench   run the benchmarks and print their figures"
	@echo "make install create $(VENV) and install the locked dependencies"
	@echo "make lock    re-lock requirements*.lock from pyproject.toml"
	@echo "make messages  collect new strings into locale/*/django.po and compile the .mo files"

$(STAMP): requirements-dev.lock
	@if [ -z "$(PYTHON)" ]; then \
		echo "Lean OKRs needs Python 3.12 or newer (3.13 preferred), and none was found." >&2; \
		echo "Install one (e.g. 'pyenv install 3.13' or your system's python3.13) and run make again." >&2; \
		exit 1; fi
	@if [ ! -x $(VPY) ] || ! $(VPY) -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
		echo "Creating $(VENV) with $(PYTHON) ($$($(PYTHON) --version))"; \
		rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); fi
	$(VPY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(VPY) manage.py migrate --noinput
	$(VPY) manage.py seed_demo
	@echo ""
	@echo "  Lean OKRs is starting on http://$(HOST):$(PORT)  (web, Celery worker and beat; Ctrl-C stops all)"
	@echo "  Sign in as leader@example.com, lead@example.com or member@example.com, password lean-okrs-demo"
	@echo ""
	@exec $(VPY) scripts/run_dev.py --host $(HOST) --port $(PORT)

test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest

# The fast lane while working: no browsers, processes, servers or thousand-email runs
# (the tests marked slow), spread over every core by pytest-xdist. `make test` runs all.
test-fast: install
	$(VENV)/bin/pytest -m "not slow" -n auto

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install
	$(VPY) bench/run.py

lock: install
	$(VENV)/bin/uv pip compile pyproject.toml --universal --python-version 3.12 --generate-hashes -o requirements.lock
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --universal --python-version 3.12 --generate-hashes -o requirements-dev.lock

# Translations (docs/translations.md): collect every marked string into the .po files,
# then compile them. The compiled .mo files are committed (a fresh clone runs without
# GNU gettext); tests/i18n checks that they match the .po files and that nothing is left
# untranslated. Needs GNU gettext (apt-get install gettext).
MESSAGES_IGNORE := --ignore=.venv --ignore=tests --ignore=bench --ignore=staticfiles --ignore=var --ignore=node_modules
messages: install
	$(VPY) manage.py makemessages --locale=nl --locale=de --no-obsolete --no-location $(MESSAGES_IGNORE)
	$(VPY) manage.py compilemessages --locale=nl --locale=de $(MESSAGES_IGNORE)

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
