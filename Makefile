# Parley: `make run` to serve, `make test` to check. Everything installs into .venv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= config.settings.local

.PHONY: run test test-fast test-js lint install install-dev browser migrate serve cluster chaos clean bench

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
install-dev: $(VENV)/.installed-dev browser

# Debian's Chromium for the browser tests (tests/e2e/browser); without it they skip.
browser:
	@if command -v chromium >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else echo "chromium is missing and cannot be installed here (needs root and apt-get): browser tests will skip"; fi

migrate: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

# uvicorn, configured from the environment (parley/realtime/management/commands/serve.py).
serve:
	$(BIN)/python manage.py serve --host $(HOST) --port $(PORT)

run: migrate serve

# N processes on PORT, PORT+1, … sharing DATABASE_URL and REDIS_URL (REDIS_URL required).
N ?= 2
cluster: migrate
	$(BIN)/python manage.py cluster --processes $(N) --host $(HOST) --port $(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# The suite twice: SQLite + in-process layer, then PostgreSQL + Redis (tests/run_suites.py).
test: lint browser test-js
	$(BIN)/python -m tests.run_suites $(PYTEST_ARGS)

# The edit loop: one pass on SQLite and the in-process layer, without live servers or browsers
# (tests marked `live`). `make test` stays the whole thing.
test-fast: install-dev test-js
	env -u DATABASE_URL -u REDIS_URL DJANGO_SETTINGS_MODULE=config.settings.test \
		$(BIN)/python -m pytest -m "not live" -q $(PYTEST_ARGS)

# The web client's logic modules (parley/web/static/parley/js) with Node's own test runner
# (tests/js/*.test.mjs): no npm packages, no build step; a second or two.
test-js:
	node --test tests/js/

# A live server killed, restarted and cut off under steady chat traffic; nothing may be lost,
# doubled or reordered (tests/e2e/chaos.py). With REDIS_URL set, Redis is restarted too.
chaos: install-dev
	$(BIN)/python -m tests.e2e.chaos $(CHAOS_ARGS)

# The benchmark (bench/run.py): Parley against the Channels tutorial consumer and a plain
# websockets server; writes docs/performance.md, docs/bench.png and bench/results.json.
# BENCH_ARGS="--quick" for a short run, "--only storm" for one scenario.
bench: install-dev
	$(BIN)/pip install -q -e ".[dev,bench]"
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
