# GenAI Learning Guide. `make run` to try it, `make test` to test it. See README.md.
SHELL := /bin/bash
PORT ?= 8000
HOST ?= 127.0.0.1
VENV := .venv
BIN := $(VENV)/bin

# The first interpreter >= 3.12 found: on PATH, then under pyenv. `make PYTHON=/path/to/python3` overrides.
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 $$(ls -d $$(pyenv root 2>/dev/null)/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV) python3; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then command -v $$p; break; fi; done)

.PHONY: run serve test test-postgres test-e2e fuzz-api lint format bench scale-out-check concurrency-check backup restore clean check-python

check-python:
	@if [ -z "$(PYTHON)" ]; then echo "No Python >= 3.12 found (Django 6.1 needs it). Install one, or run: make PYTHON=/path/to/python3.12 ..." >&2; exit 1; fi

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt requirements-nodeps.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	$(BIN)/pip install -q --no-deps -r requirements-nodeps.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

# Development server: DEBUG on, content loaded on the first run only (later runs keep edits).
run: $(VENV)/.installed
	DJANGO_DEBUG=true $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=true $(BIN)/python manage.py load_content --if-empty
	DJANGO_DEBUG=true $(BIN)/python manage.py demo_accounts --url http://$(HOST):$(PORT)/
	DJANGO_DEBUG=true $(BIN)/python manage.py runserver $(HOST):$(PORT)

# Production mode under gunicorn. The secret comes from DJANGO_SECRET_KEY or, on one machine,
# from .secret_key (generated once, git-ignored).
serve: $(VENV)/.installed
	@set -e; \
	if [ -z "$$DJANGO_SECRET_KEY" ]; then \
		[ -s .secret_key ] || (umask 077; $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))' > .secret_key); \
		export DJANGO_SECRET_KEY="$$(cat .secret_key)"; \
	fi; \
	export DJANGO_DEBUG=$${DJANGO_DEBUG:-false}; \
	$(BIN)/python manage.py migrate --noinput; \
	$(BIN)/python manage.py load_content --if-empty; \
	$(BIN)/python manage.py collectstatic --noinput -v 0; \
	exec $(BIN)/gunicorn genai_site.wsgi:application -c genai_site/gunicorn.conf.py --bind $(HOST):$(PORT)

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -q

# The same suite against PostgreSQL (DATABASE_URL defaults to the local test server).
test-postgres: $(VENV)/.installed-dev
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(BIN)/python -m pytest -q

# Browser tests: Playwright driving /usr/bin/chromium (apt-get install -y chromium); screenshots
# of each step land in test-artifacts/screenshots/.
test-e2e: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -q -m e2e tests/e2e

# schemathesis over every API operation against a live server: anonymous, learner, instructor.
fuzz-api: $(VENV)/.installed-dev
	$(BIN)/python scripts/fuzz_api.py

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# locust has its own virtualenv inside .venv: its dependency brotli would make whitenoise
# brotli-compress every static file in the app's collectstatic (minutes per `make serve`).
BENCH_VENV := $(VENV)/bench
$(BENCH_VENV)/.installed: requirements-bench.txt | $(BIN)/python
	$(BIN)/python -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install -q -r requirements-bench.txt
	touch $@

# Lab performance targets (issue 9, 10), then the site load test on SQLite and PostgreSQL
# (issue 11; writes BENCHMARKS.md). Each script prints its figures and exits 1 when a target is
# missed; all three run, and the target fails if any did. BENCH_ARGS="--seconds 10" measures
# longer (steadier, slower); --sqlite-only skips PostgreSQL.
bench: $(VENV)/.installed-dev $(BENCH_VENV)/.installed
	@status=0; \
	DJANGO_DEBUG=true $(BIN)/python manage.py migrate --noinput -v 0 || status=1; \
	DJANGO_DEBUG=true $(BIN)/python benchmarks/lab_language.py || status=1; \
	DJANGO_DEBUG=true $(BIN)/python benchmarks/lab_generative.py || status=1; \
	$(BIN)/python benchmarks/load.py $(BENCH_ARGS) || status=1; \
	exit $$status

# Two app servers, one PostgreSQL database and one Redis: a learner's session and an
# instructor's edit made on one server hold on the other (see DEPLOYMENT.md).
scale-out-check: $(VENV)/.installed-dev
	$(BIN)/python scripts/scale_out_check.py

# 32 learners at once through the HTML forms (sign up, every quiz, progress, with double clicks),
# on a scratch SQLite file, then on a scratch PostgreSQL database with Redis: every answer and mark
# stored exactly once, no 500, no "database is locked" in the server's log.
concurrency-check: $(VENV)/.installed-dev
	$(BIN)/python scripts/concurrency_check.py --database sqlite
	$(BIN)/python scripts/concurrency_check.py --database postgres

# Backups of the database make serve uses: backups/<db>-<UTC time>.sqlite3 (SQLite's online
# backup, safe while serving) or .dump (pg_dump, when DATABASE_URL is PostgreSQL). They sign
# nothing, so without a production secret (DJANGO_SECRET_KEY or .secret_key) they run with
# development settings.
MANAGE_ENV = if [ -z "$$DJANGO_SECRET_KEY" ]; then \
		if [ -s .secret_key ]; then export DJANGO_SECRET_KEY="$$(cat .secret_key)"; \
		else export DJANGO_DEBUG=$${DJANGO_DEBUG:-true}; fi; \
	fi

backup: $(VENV)/.installed
	@$(MANAGE_ENV); $(BIN)/python manage.py backup

# make restore FILE=backups/db-20250101T000000Z.sqlite3: the current data is backed up first.
restore: $(VENV)/.installed
	@if [ -z "$(FILE)" ]; then echo "Usage: make restore FILE=backups/<backup file> (see ls backups/)" >&2; exit 2; fi
	@$(MANAGE_ENV); $(BIN)/python manage.py restore "$(FILE)"

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
