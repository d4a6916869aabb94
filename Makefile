# CohortNet: the two commands a newcomer needs are `make run` and `make test`.
# Both create .venv with the Python found as $(PYTHON) (3.11 or newer).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: help install install-dev run test lint check-deploy migrations-check bench screens backup restore clean

# The benchmark uses a database of its own, emptied at each run.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/cohortnet_bench
# The chat fan-out benchmark's channel layer (its two servers share it, as production's workers do).
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/0

help:
	@echo "make run    install, migrate, load demo data, start web + Celery worker + beat on http://127.0.0.1:$(PORT)"
	@echo "make test   run the whole test suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set, else SQLite)"
	@echo "make lint   ruff, formatting and missing migrations"
	@echo "make bench  benchmarks on PostgreSQL (BENCH_DATABASE_URL) and Redis (BENCH_REDIS_URL); results in var/bench/"
	@echo "make backup the database and uploaded files into var/backups/<UTC time>/ (docs/OPERATIONS.md)"
	@echo "make restore BACKUP=var/backups/<UTC time>   put a backup back, replacing the data (asks first)"
	@echo "make screens  screenshots of the main pages (demo data, Chromium) into docs/screens/"

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "CohortNet needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)

# Marker files: reinstall only when the pinned requirements change.
$(VENV)/.installed-base: requirements/base.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/base.txt
	touch $@

$(VENV)/.installed-dev: requirements/dev.txt requirements/base.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	touch $(VENV)/.installed-base $@

install: $(VENV)/.installed-base

install-dev: $(VENV)/.installed-dev

# honcho gives each process a PORT of its own (web 8000, worker 8100, beat 8200), so SITE_URL is
# fixed on the web's port here: otherwise links in emails the worker and beat write point to theirs.
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Starting web, worker and beat; Ctrl-C stops all of them."
	SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}" $(BIN)/honcho --procfile Procfile.dev start

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -r cohortnet toolbox applications cohorts events funding notifications chat integrations privacy --severity-level high
	$(MAKE) migrations-check

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

# The production-mode deploy check, with stand-in secrets.
check-deploy: install
	DEBUG=false SECRET_KEY=deploy-check-only-$$(printf '%064d' 0) ALLOWED_HOSTS=cohortnet.example \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

bench: install-dev
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	createdb -h 127.0.0.1 -U postgres cohortnet_bench 2>/dev/null || true
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/reminders.py
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) $(BIN)/python bench/pages.py
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) $(BIN)/python bench/chat_fanout.py

# Screenshots of the main pages at desktop and phone width, from the demo data on a throwaway
# SQLite database (never DATABASE_URL's), in the system Chromium. Not part of make test.
screens: install-dev
	$(BIN)/python scripts/screens.py

# Backups (docs/OPERATIONS.md): pg_dump -Fc of DATABASE_URL (a copy of the SQLite file without it), the
# uploaded files and their checksums; restore checks the checksums, then pg_restore --clean and the files.
backup: install
	$(BIN)/python manage.py backup

restore: install
	@test -n "$(BACKUP)" || (echo "Say which backup: make restore BACKUP=var/backups/<UTC time>"; exit 2)
	$(BIN)/python manage.py restore "$(BACKUP)"

clean:
	rm -rf $(VENV) var
