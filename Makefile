# Réseau — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
export FLASK_APP := network

.PHONY: run test test-pg install clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

## make run: set up, migrate, load demo data when empty, serve http://127.0.0.1:5000
run: install
	$(BIN)/flask setup
	$(BIN)/flask run --host 127.0.0.1 --port 5000

## make test: set up and pass the whole suite on SQLite
test: install
	$(BIN)/python -m pytest

## make test-pg: the same suite on PostgreSQL (TEST_DATABASE_URL, default the local `test` database)
test-pg: install
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} $(BIN)/python -m pytest

clean:
	rm -rf $(VENV) .pytest_cache
