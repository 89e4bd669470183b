# Parley: `make run` to serve, `make test` to check. Everything installs into .venv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= config.settings.local

.PHONY: run test lint install install-dev migrate serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

# uvicorn, configured from the environment (parley/core/management/commands/serve.py).
serve:
	$(BIN)/python manage.py serve --host $(HOST) --port $(PORT)

run: migrate serve

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The suite twice: SQLite + in-process layer, then PostgreSQL + Redis (tests/run_suites.py).
test: lint
	$(BIN)/python -m tests.run_suites $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
