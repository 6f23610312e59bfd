# The front door. `make run` serves the demo; `make test` proves everything on the real services.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test deps dev-deps requirements seed lint format bench bench-pg clean messages

run: deps
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "schoolsocial is starting on http://$(HOST):$(PORT)/ (Ctrl+C to stop)"
	$(PY) manage.py runserver $(HOST):$(PORT)

test:
	bash scripts/test.sh

# What the portal runs on: requirements.txt only (the same install as production).
deps: $(VENV)/.installed node_modules/.installed
	@bash scripts/system-deps.sh run
	@$(MAKE) --no-print-directory messages

# The translations (locale/*/LC_MESSAGES/django.po) compiled to the .mo files Django reads. The .mo
# files are built, not committed: GNU gettext's msgfmt comes from scripts/system-deps.sh.
messages:
	$(PY) manage.py compilemessages --ignore=node_modules --ignore=.venv -v0

# Also what the tests, lint and type checks need: requirements-dev.txt on top.
dev-deps: deps $(VENV)/.dev-installed

$(VENV)/.installed: requirements-pip.txt requirements.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-pip.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.txt -r requirements-dev.txt
	touch $@

# After editing requirements.in or requirements-dev.in: pin the new set, with hashes (settings in
# pyproject.toml [tool.pip-tools]). Pins already in the .txt files are kept unless asked, e.g.
# `make requirements ARGS="--upgrade-package Django"`.
requirements: dev-deps
	CUSTOM_COMPILE_COMMAND="make requirements" $(VENV)/bin/pip-compile --quiet $(ARGS) requirements-pip.in
	CUSTOM_COMPILE_COMMAND="make requirements" $(VENV)/bin/pip-compile --quiet $(ARGS) requirements.in
	CUSTOM_COMPILE_COMMAND="make requirements" $(VENV)/bin/pip-compile --quiet $(ARGS) requirements-dev.in

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

seed: deps
	$(PY) manage.py seed_demo

lint: dev-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: dev-deps
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Every bench on the embedded SQLite default, or on PostgreSQL when DATABASE_URL is set; one JSON
# line per figure on stdout. Pick some with e.g. `make bench BENCHES=bench/incidents.py`.
BENCHES ?= $(wildcard bench/[a-z]*.py)
bench: deps
	@for script in $(BENCHES); do echo "== $$script"; $(PY) $$script || exit 1; done

# The same benches on a throwaway PostgreSQL started for this run only (as `make test` does).
bench-pg: deps
	bash scripts/bench-pg.sh BENCHES="$(BENCHES)"

clean:
	rm -rf $(VENV) node_modules staticfiles var .pytest_cache
