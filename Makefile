# Réseau — the two commands: `make run` and `make test`.
# Each installs what is missing (virtualenv, Python packages, Debian's Chromium,
# Node packages) and nothing more: a second run reuses what is already there.
# The virtualenv's interpreter: the distribution's Python 3.11+ when it can make a virtualenv (Debian builds it with
# profile-guided and link-time optimisation, libpython linked in: the app serves about a fifth more pages than on a
# plain build such as pyenv's, README « Benchmark »), else the first python3 on PATH. `make PYTHON=…` chooses.
PYTHON   ?= $(firstword $(foreach python,/usr/bin/python3 python3,$(shell $(python) -c 'import sys, ensurepip, venv; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && echo $(python))) python3)
VENV     := .venv
BIN      := $(VENV)/bin
# Read by the browser tests too (tests/e2e/conftest.py).
CHROMIUM_PATH ?= /usr/bin/chromium
export CHROMIUM_PATH
# Re-install the Python packages whenever pyproject.toml changes (stamp named after its hash).
STAMP    := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
# Node packages only when the project has a package.json (e.g. ical.js for the calendar tests).
NODE_STAMP := $(if $(wildcard package.json),node_modules/.installed-stamp)
SUDO     := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test
export FLASK_APP := network

.PHONY: run test test-pg install libmagic browser imap node clean help

## make help: list the targets
help:
	@sed -n 's/^## //p' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	@# A half-created virtualenv (interrupted run, no pip) is rebuilt from scratch.
	$(BIN)/python -m pip --version >/dev/null 2>&1 || { rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

## make install: the virtualenv with the app and its test tools (only when pyproject.toml changed)
install: libmagic $(STAMP)

## make libmagic: Debian's libmagic1, which python-magic loads to tell a file's type from its content
libmagic:
	@if ! ldconfig -p | grep -q 'libmagic\.so\.1 '; then \
	  echo "Installing Debian's libmagic1 (apt-get)…"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y libmagic1; \
	fi

## make browser: Debian's Chromium for the browser tests (apt-get, never a downloaded browser)
browser:
	@if [ ! -x "$(CHROMIUM_PATH)" ]; then \
	  echo "Installing Debian's Chromium (apt-get)…"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	fi
	@test -x "$(CHROMIUM_PATH)" || { echo "Chromium is missing at $(CHROMIUM_PATH)" >&2; exit 1; }

## make imap: Debian's Dovecot, the IMAP server the calendar-reply tests start (apt-get; not left running)
DOVECOT := /usr/sbin/dovecot
imap:
	@if [ ! -x "$(DOVECOT)" ]; then \
	  echo "Installing Debian's Dovecot IMAP server (apt-get)…"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y dovecot-imapd; \
	fi
	@test -x "$(DOVECOT)" || { echo "Dovecot is missing at $(DOVECOT)" >&2; exit 1; }

node_modules/.installed-stamp: package.json $(wildcard package-lock.json)
	@command -v npm >/dev/null || { echo "npm is required for the Node packages in package.json" >&2; exit 1; }
	@# A lockfile gives a reproducible `npm ci`; without one, install without writing a lockfile.
	if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; \
	else npm install --no-package-lock --no-audit --no-fund; fi
	touch $@

## make node: the Node packages of package.json, if there is one
node: $(NODE_STAMP)

## make run: set up, migrate, load demo data when empty, serve http://127.0.0.1:5000
run: install
	$(BIN)/flask setup
	$(BIN)/flask run --host 127.0.0.1 --port 5000

## make test: set up and pass the whole suite on SQLite (browser tests included)
test: install browser imap node
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest $(PYTEST_ARGS)

## make test-pg: the same suite on PostgreSQL (TEST_DATABASE_URL, default the local `test` database)
test-pg: install browser imap node
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python -m pytest $(PYTEST_ARGS)

## make clean: remove the virtualenv, Node packages and caches (not the database in instance/)
clean:
	rm -rf $(VENV) node_modules .pytest_cache test-artifacts
