# Two commands: `make run` starts the demo, `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --quiet --disable-pip-version-check
PORT ?= 8000
# The suite runs on every core (pytest-xdist); WORKERS=0 runs it in one process.
WORKERS ?= auto

.PHONY: run test lint typecheck chromium demo clean backup restore nginx stack stack-test

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Нужен Python 3.11 (команда $(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.run-deps: $(PY) requirements.txt
	$(PIP) -r requirements.txt
	touch $@

$(VENV)/.test-deps: $(VENV)/.run-deps requirements-dev.txt
	$(PIP) -r requirements-dev.txt
	touch $@

demo: $(VENV)/.run-deps
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo

run: demo
	@echo "Откройте http://127.0.0.1:$(PORT) — демо-логины и пароль в README.md"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# Browser tests drive Debian's Chromium; install it when this machine can.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get install -y chromium >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y chromium >/dev/null; }; \
	  else echo "Для браузерных тестов нужен Chromium: sudo apt-get install -y chromium"; exit 1; fi; }

test: $(VENV)/.test-deps chromium
	$(PY) -m pytest -n $(WORKERS) $(PYTEST_ARGS)

# Strict typing where the rules live: the workflow layer, its tables and the engine.
TYPED := schools/workflow.py schools/workflow_views.py identification/engine identification/criteria.py \
	roadmaps/workflows.py partnerships/workflows.py monitoring/workflows.py
typecheck: $(VENV)/.test-deps
	$(PY) -m mypy $(TYPED)

lint: $(VENV)/.test-deps
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

# Backups (README, «Резервное копирование»): the database, and MEDIA_ROOT when
# FILE_STORAGE=local, into a dated folder of BACKUP_DIR; restored only into an
# empty database unless FORCE=1. Run with the portal's own environment.
BACKUP_DIR ?= backups

backup: $(VENV)/.run-deps
	$(PY) manage.py backup --dir "$(BACKUP_DIR)"

restore: $(VENV)/.run-deps
	@test -n "$(BACKUP)" || { echo "Укажите папку копии: make restore BACKUP=$(BACKUP_DIR)/<папка> [FORCE=1]"; exit 1; }
	$(PY) manage.py restore "$(BACKUP)" $(if $(filter 1,$(FORCE)),--force)

# The two-node stack (deploy/two_nodes.py): nginx with TLS on 127.0.0.1:8443 in
# front of two gunicorn nodes, two Celery workers and beat, over the running
# PostgreSQL (database portal_stack, recreated) and a Redis of its own.
nginx:
	@command -v nginx >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get install -y nginx >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y nginx >/dev/null; }; \
	  else echo "Для стенда из двух узлов нужен nginx: sudo apt-get install -y nginx"; exit 1; fi; }

stack: $(VENV)/.run-deps nginx
	$(PY) deploy/two_nodes.py

# Its smoke and fault tests; they restart the machine's PostgreSQL once.
stack-test: $(VENV)/.test-deps nginx
	PORTAL_STACK_TESTS=1 $(PY) -m pytest tests/stack -p no:randomly $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles media
