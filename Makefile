# closedloop: the two commands are `make run` and `make test` (see README.md).
#
# Both start an embedded PostgreSQL and Redis (closedloop/devservers.py) unless
# DATABASE_URL / REDIS_URL are set, in which case those servers are used.

.DEFAULT_GOAL := help

VENV ?= .venv
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEVSERVERS := $(PY) -m closedloop.devservers run --
PORT ?= 8000
PYTEST_ARGS ?=
# The suite runs in one pytest process per core, at most four (pytest-xdist; each gets its
# own test database and Redis database, closedloop/settings/test.py). PYTEST_WORKERS=0: one.
# ``--dist load`` hands each process its tests in the collection order, in which
# pytest-django puts the transactional tests last: they empty the tables the migrations
# seeded (calendar, policies, metric definitions), so none may run before a plain one.
PYTEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); [ $$n -gt 4 ] && n=4; [ $$n -lt 2 ] && n=0; echo $$n)
# make bench: the generated data (into an empty database) and the benchmark's options.
BENCH_ISSUES ?= 1000000
BENCH_STORES ?= 1000
BENCH_PEOPLE ?= 5000
BENCH_SEED ?= 1
BENCH_ARGS ?=
LANGUAGES := zh_Hans en

.PHONY: help venv install run dev test bench lint fmt messages compile-messages check-deploy

help:
	@echo "make run            install, migrate, load the demo data, serve on http://127.0.0.1:$(PORT)/"
	@echo "                    (web + Celery worker + Celery beat); Ctrl-C stops everything"
	@echo "make dev            the same with Django's debug pages (DJANGO_DEBUG=1): never for users"
	@echo "make test           install, then run pytest (extra arguments: PYTEST_ARGS=\"-k name\")"
	@echo "make bench          generate $(BENCH_ISSUES) issues if the database has none, then print the"
	@echo "                    benchmark table (BENCH_ISSUES=100000, BENCH_ARGS=\"--only search\")"
	@echo "make lint           ruff check, ruff format --check, makemigrations --check"
	@echo "make fmt            ruff format and ruff check --fix"
	@echo "make messages       makemessages for $(LANGUAGES) (needs GNU gettext)"
	@echo "make compile-messages  compile locale/*.po to .mo (pure Python, no gettext needed)"
	@echo "make check-deploy   manage.py check --deploy with the production settings"
	@echo "make install        create $(VENV) and pip install -e '.[dev]' (when pyproject.toml changed)"

# --- environment -------------------------------------------------------------------

$(PY):
	@test -n "$(PYTHON)" || { echo "python3.11 (or python3 >= 3.11) is required" >&2; exit 1; }
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "$(PYTHON) is older than 3.11; install Python 3.11" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

venv: $(PY)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -e '.[dev]'
	@touch $@

install: $(STAMP)

# --- the two commands ------------------------------------------------------------

run: install compile-messages
	@PATH="$(CURDIR)/$(VENV)/bin:$$PATH" PORT="$(PORT)" \
	exec $(DEVSERVERS) sh -c '\
		set -e; \
		export DJANGO_SETTINGS_MODULE=closedloop.settings.local; \
		export SITE_URL="$${SITE_URL:-http://127.0.0.1:$$PORT}"; \
		python manage.py migrate --noinput; \
		python manage.py load_demo --if-empty; \
		echo; \
		echo "  closedloop: http://127.0.0.1:$$PORT/"; \
		echo "  demo logins: printed by load_demo above (also: manage.py load_demo --help)"; \
		echo "  Ctrl-C stops the web server, the Celery worker and beat."; \
		echo; \
		exec honcho --env /dev/null start -f Procfile.dev'

dev:
	@DJANGO_DEBUG=1 $(MAKE) --no-print-directory run

test: install compile-messages
	env -u DJANGO_SETTINGS_MODULE $(DEVSERVERS) $(PY) -m pytest -n $(PYTEST_WORKERS) --dist load $(PYTEST_ARGS)

# Its own database in the embedded server (the demo of `make run` stays apart), DEBUG
# off as in production; with DATABASE_URL set, that database is used (and generated
# into only when it holds no issue).
bench: install compile-messages
	@PATH="$(CURDIR)/$(VENV)/bin:$$PATH" DEVSERVERS_DATABASE=closedloop_bench \
	$(DEVSERVERS) sh -c '\
		set -e; \
		export DJANGO_SETTINGS_MODULE=closedloop.settings.local DJANGO_DEBUG=0; \
		python manage.py migrate --noinput; \
		python manage.py generate_load --if-empty --issues $(BENCH_ISSUES) \
			--stores $(BENCH_STORES) --people $(BENCH_PEOPLE) --seed $(BENCH_SEED); \
		python manage.py benchmark $(BENCH_ARGS)'

# --- helpers -----------------------------------------------------------------------

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(DEVSERVERS) $(PY) manage.py makemigrations --check --dry-run

fmt: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

compile-messages: install
	$(PY) scripts/compile_messages.py

messages: install
	@command -v xgettext >/dev/null && command -v msgmerge >/dev/null || { \
		echo "make messages needs GNU gettext (xgettext, msgmerge):" >&2; \
		echo "  Debian/Ubuntu: apt install gettext   macOS: brew install gettext" >&2; exit 1; }
	$(PY) manage.py makemessages $(foreach lang,$(LANGUAGES),-l $(lang)) --no-obsolete \
		--ignore '.venv/*' --ignore 'var/*' --ignore 'staticfiles/*' --ignore 'static/vendor/*' \
		--ignore 'tests/*' --ignore 'build/*'

check-deploy: install
	env DJANGO_SETTINGS_MODULE=closedloop.settings.production \
		DJANGO_SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		DATABASE_URL=postgres://closedloop@db.invalid:5432/closedloop \
		REDIS_URL=redis://redis.invalid:6379/0 \
		DJANGO_ALLOWED_HOSTS=closedloop.example.com \
		$(PY) manage.py check --deploy --fail-level WARNING
