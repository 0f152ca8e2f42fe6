# One command runs the product, one runs the tests. See README.md.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Where `make test` finds the services for the integration tests.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/telephony
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: run run-sip test test-unit test-integration install bench soak lint typecheck format clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

# Ctrl-C (SIGINT) or a SIGTERM stops honcho, which then exits 130 or 143: that is the normal way
# to stop, not an error for make to report ("make: *** Error 130"); any other status still is.
# The trap keeps the recipe's shell alive to read honcho's status. (make itself, signalled by
# Ctrl-C with the whole terminal group, still ends by that signal, silently.)
HONCHO_STOPS_CLEANLY := trap : INT TERM;
HONCHO_STOPPED := || { rc=$$?; [ $$rc -eq 130 ] || [ $$rc -eq 143 ] || exit $$rc; }

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py dialer_demo
	@echo "Dialtone is starting on http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/admin/) — Ctrl-C stops everything"
	@$(HONCHO_STOPS_CLEANLY) PORT=$(PORT) $(VENV)/bin/honcho --procfile Procfile.embedded start $(HONCHO_STOPPED)

# `make run` in SIP mode: real SIP calls from the call engine to a local SIPp carrier (README "Real calls (SIP)").
SIP_CARRIER_PORT ?= 5070
SIP_ENGINE_PORT ?= 5060
REDIS_URL ?= redis://127.0.0.1:6379/0
run-sip: install
	@command -v sipp >/dev/null || { echo "run-sip needs SIPp, espeak-ng and sox (Debian: sip-tester espeak-ng sox)"; exit 1; }
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	DIALER_GATEWAY=sip $(PY) manage.py dialer_demo
	@echo "Dialtone (SIP mode) is starting on http://127.0.0.1:$(PORT)/ — calls go to SIPp on 127.0.0.1:$(SIP_CARRIER_PORT); Ctrl-C stops everything"
	@$(HONCHO_STOPS_CLEANLY) DIALER_GATEWAY=sip REDIS_URL=$(REDIS_URL) SIP_TRUNK=sip:127.0.0.1:$(SIP_CARRIER_PORT) \
	SIP_LISTEN=127.0.0.1:$(SIP_ENGINE_PORT) SIP_RING_TIMEOUT=$${SIP_RING_TIMEOUT:-10} \
	SIP_CARRIER_PORT=$(SIP_CARRIER_PORT) SIP_CARRIER_MEDIA_PORT=$$(( $(SIP_CARRIER_PORT) + 1 )) \
	SIP_CARRIER_CONTROL_PORT=$$(( $(SIP_CARRIER_PORT) + 2 )) PORT=$(PORT) \
	$(VENV)/bin/honcho --procfile Procfile.sip.local start $(HONCHO_STOPPED)

# The type check, unit and e2e tests on the embedded set-up (SQLite), then the integration
# tests against PostgreSQL and Redis when they answer (always under CI=true).
test: install
	$(MAKE) --no-print-directory typecheck
	$(MAKE) --no-print-directory test-unit
	$(MAKE) --no-print-directory test-integration

test-unit: install
	$(VENV)/bin/pytest -m "not integration" $(PYTEST_ARGS)

test-integration: install
	@if $(PY) -m telephony.services_check "$(TEST_DATABASE_URL)" "$(TEST_REDIS_URL)"; then \
		DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) CELERY_BROKER_URL=$(TEST_REDIS_URL) \
		$(VENV)/bin/pytest -m integration $(PYTEST_ARGS); \
	elif [ "$$CI" = "true" ]; then echo "CI=true: PostgreSQL and Redis are required"; exit 1; \
	else echo "SKIPPED integration tests: PostgreSQL or Redis not reachable (see above)"; fi

# Benchmarks run against PostgreSQL and Redis; the database is created when missing.
bench: install
	$(PY) -c "import psycopg, sys; url = sys.argv[1]; base, name = url.rsplit('/', 1); \
	conn = psycopg.connect(base + '/postgres', autocommit=True); \
	conn.execute('SELECT 1 FROM pg_database WHERE datname = %s', [name]).fetchone() or conn.execute(f'CREATE DATABASE \"{name}\"')" "$(TEST_DATABASE_URL)"
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) CELERY_BROKER_URL=$(TEST_REDIS_URL) $(PY) -m bench $(BENCH)

# The embedded product (SQLite, embedded broker) under the demo campaign for MINUTES; see bench/embedded_soak.py.
MINUTES ?= 30
soak: install
	$(PY) -m bench.embedded_soak --minutes $(MINUTES) --port $(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MAKE) --no-print-directory typecheck

# mypy with the Django and DRF stubs over the whole project (settings in mypy.ini); it must report no error.
typecheck: install
	$(VENV)/bin/mypy .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf var/ .pytest_cache .ruff_cache
