# Entry points named in the README: `make run` and `make test` (and `make bench`).
SHELL := /bin/bash
.DEFAULT_GOAL := run
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test install install-test system-deps lint typecheck pytest pytest-pg bench bench-deps translations clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

# Runtime dependencies, front-end assets and compiled translations.
.stamp-install: pyproject.toml package.json package-lock.json | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	npm ci --omit=dev --no-audit --no-fund --loglevel=error
	node scripts/vendor.js
	touch $@

.stamp-install-test: .stamp-install pyproject.toml
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: .stamp-install translations

install-test: .stamp-install-test translations system-deps

translations: .stamp-install
	$(BIN)/pybabel compile -d app/translations -D messages

# What the tests need from Debian: Chromium for browser tests, poppler for PDF checks, PostgreSQL server,
# nginx and systemd-analyze for the deployment tests (deploy/).
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium chromium-driver"; \
	command -v pdfsig >/dev/null || missing="$$missing poppler-utils"; \
	[ -x /usr/lib/postgresql/15/bin/initdb ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	fc-list 2>/dev/null | grep -q DejaVuSans || [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing="$$missing fonts-dejavu-core"; \
	command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	command -v systemd-analyze >/dev/null || missing="$$missing systemd"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing from Debian:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

run: install
	$(BIN)/telewywiad demo prepare
	$(BIN)/telewywiad db upgrade
	$(BIN)/telewywiad demo seed --if-empty
	$(BIN)/telewywiad serve --host 127.0.0.1 --port $(PORT)

lint: .stamp-install-test
	$(BIN)/ruff check app tests bench scripts
	$(BIN)/bandit -c pyproject.toml -r app -q
	$(BIN)/lint-imports

typecheck: .stamp-install-test
	$(BIN)/mypy

# Test processes (pytest-xdist): one per core by default; PYTEST_WORKERS=0 runs everything in one process.
# Browser tests run in a pytest run of their own: pytest-playwright keeps an asyncio loop running in a process
# that has driven a browser, and pyHanko's synchronous signing API cannot run under it.
PYTEST_WORKERS ?= auto
PYTEST := $(BIN)/pytest -p no:cacheprovider -n $(PYTEST_WORKERS) --dist worksteal

pytest: install-test
	$(PYTEST) -m "not browser"
	$(PYTEST) -m browser

pytest-pg: install-test
	$(BIN)/python scripts/with_postgres.py -- $(PYTEST) -m db

test: install-test lint typecheck
	@echo "=== Test suite on SQLite: unit and integration tests ==="
	$(PYTEST) -m "not browser"
	@echo "=== Test suite on SQLite: browser tests ==="
	$(PYTEST) -m browser
	@echo "=== Database tests on a throwaway PostgreSQL cluster ==="
	$(BIN)/python scripts/with_postgres.py -- $(PYTEST) -m db

# What the benchmarks need besides the test setup: wrk (Debian) and Lighthouse (npm devDependency).
bench-deps: install-test
	@command -v wrk >/dev/null || { echo "Installing from Debian: wrk"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	@[ -x node_modules/.bin/lighthouse ] || npm ci --no-audit --no-fund --loglevel=error

# Every benchmark (about 10 minutes); results in bench/results/latest.json and latest.md.
bench: bench-deps
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) node_modules static/vendor .stamp-* instance
