# Parley: `make run` to serve, `make test` to check. Everything installs into .venv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Frames over this are closed with 1009 by the server; between PARLEY_MAX_FRAME_BYTES and this
# they get a `too_large` error frame and the socket stays open.
WS_MAX_SIZE ?= 262144
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

# uvicorn: closes sockets with 1012 on SIGTERM and applies write flow control (see README).
serve:
	$(BIN)/uvicorn config.asgi:application --host $(HOST) --port $(PORT) --lifespan off \
		--ws-max-size $(WS_MAX_SIZE) --no-access-log --timeout-graceful-shutdown 5

run: migrate serve

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The suite twice: SQLite + in-process layer, then PostgreSQL + Redis (tests/run_suites.py).
test: lint
	$(BIN)/python -m tests.run_suites $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
