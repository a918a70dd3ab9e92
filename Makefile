# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
# The port `make run` serves on (`make run PORT=8001`), exported: the settings read it, and SITE_URL, unless set,
# follows it (the links of e-mails and parchments point to the address actually served).
PORT ?= 8000
export PORT

.PHONY: run test lint format install install-dev worker clean

$(VENV)/bin/python:
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 ou plus est requis") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.runtime: $(VENV)/bin/python requirements.txt
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PIP) install -q -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.runtime node_modules/.installed

install-dev: $(VENV)/.dev node_modules/.installed

## run: install, migrate, load the referential and demo users, serve on http://127.0.0.1:$(PORT) (PORT=8000 unless given)
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_referential
	$(PY) manage.py load_demo
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

## test: the whole suite (SQLite leg, then PostgreSQL + Redis + real worker leg when they answer)
test: install-dev
	bash scripts/test.sh

## lint: ruff (check + format), then mypy with django-stubs (strict on non-test code, tests without the strict flags).
lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## worker: a Celery worker (needs REDIS_URL, and DATABASE_URL for PostgreSQL)
worker: install
	$(VENV)/bin/celery -A cqp worker --loglevel=INFO

clean:
	rm -rf $(VENV) node_modules staticfiles .mypy_cache
