# Two commands for a newcomer: `make run` and `make test`. Everything else is optional.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PIP := $(BIN)/python -m pip --quiet --disable-pip-version-check

.PHONY: run test install migrate seed lint format messages catalogues bench load clean browser-deps security backup restore lock

## Every package at the version and hash pinned in requirements-dev.lock (runtime + dev;
## `make lock` writes it from pyproject.toml), then the project itself (--no-deps: the lock
## already holds its dependencies; an editable install of a project cannot be hashed).
$(STAMP): pyproject.toml requirements.lock requirements-dev.lock
	@$(PY) scripts/lock.py check
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(PIP) install --require-hashes -r requirements-dev.lock
	$(PIP) install --no-deps -e .
	@touch $(STAMP)

install: $(STAMP) catalogues

## Compiled catalogues (.mo) are built from the committed .po files, never committed.
catalogues: $(STAMP)
	@if ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then $(BIN)/python manage.py compilemessages --ignore=.venv -v 0; fi

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

## Serve the app at http://127.0.0.1:8000 with its Celery worker and beat (SQLite and a
## filesystem broker unless DATABASE_URL / REDIS_URL are set), with demo data.
run: seed
	./scripts/run_dev.sh

browser-deps: install
	@if [ -x /usr/bin/chromium ] && command -v npm >/dev/null 2>&1 && [ -f tests/support/node/package.json ] && [ ! -d tests/support/node/node_modules ]; then \
		npm install --silent --no-audit --no-fund --prefix tests/support/node; fi

## Run the whole suite on PostgreSQL and Redis when they answer (see scripts/services.py).
test: install browser-deps
	@eval "$$($(BIN)/python scripts/services.py)" && \
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## The layout's contracts run here too: import-linter (.importlinter) and mypy (mypy.ini);
## every catalogue entry translated and none fuzzy (scripts/check_translations.py).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python scripts/check_translations.py

## Load test: gunicorn on PostgreSQL + Redis, locust headless for LOAD_DURATION seconds
## (default 60), then the figures and a check for double bookings (scripts/load/run.py).
load: install
	$(BIN)/python scripts/load/run.py $(LOAD_ARGS)

## Static security check (ruff's bandit rules) and the dependency audit (pip-audit).
security: install
	$(BIN)/ruff check --select S --ignore S311 --output-format concise .
	$(BIN)/python scripts/audit.py

## Backups of the configured PostgreSQL database (DATABASE_URL), see README's operations.
backup: install
	$(BIN)/python manage.py backup

## make restore FILE=var/backups/<stamp>.dump [TARGET_DATABASE_URL=postgres://.../new_db] [FORCE=1]
restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/<stamp>.dump [TARGET_DATABASE_URL=postgres://...] [FORCE=1]" >&2; exit 2; }
	$(BIN)/python manage.py restore "$(FILE)" $(if $(TARGET_DATABASE_URL),--target "$(TARGET_DATABASE_URL)") $(if $(FORCE),--force)

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: install
	$(BIN)/python manage.py makemessages -l es --ignore=.venv --ignore=staticfiles
	$(BIN)/python manage.py makemessages -d djangojs -l es --ignore=.venv --ignore=staticfiles
	$(BIN)/python manage.py compilemessages --ignore=.venv

## After changing a dependency in pyproject.toml: re-resolve requirements.lock and
## requirements-dev.lock (pinned, with hashes) with uv, then commit them.
lock:
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@test -x $(BIN)/uv || $(PIP) install --no-deps $$(grep -o '^uv==[^ ]*' requirements-dev.lock || echo uv)
	$(BIN)/python scripts/lock.py compile

clean:
	rm -rf $(VENV) db.sqlite3 var staticfiles
