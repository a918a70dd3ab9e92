#!/usr/bin/env bash
# The whole suite, in two legs:
#   1. SQLite, tasks inline, browser journeys in real Chromium;
#   2. PostgreSQL with a real Celery worker through Redis, when both answer on 127.0.0.1.
# With CI=true both legs are mandatory: a missing service or browser fails the run.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PG_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/cqp}
REDIS=${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}
status=0
# Two processes (the machine's two cores) through pytest-xdist; PYTEST_WORKERS=0 runs in one process.
# Tests that start a real Celery worker share one Redis database: they run after, in a single process.
PARALLEL=(-n "${PYTEST_WORKERS:-2}")

echo "== Leg 1/2: SQLite, Celery inline, browser journeys"
env -u DATABASE_URL -u REDIS_URL "$PY" -m pytest "${PARALLEL[@]}" -m "not integration" "$@" || status=$?

echo
echo "== Leg 2/2: PostgreSQL + Redis + a real Celery worker"
if "$PY" scripts/services.py "$PG_URL" "$REDIS"; then
  DATABASE_URL=$PG_URL REDIS_URL=$REDIS "$PY" -m pytest "${PARALLEL[@]}" -m "not browser and not integration" "$@" \
    || status=$?
  DATABASE_URL=$PG_URL REDIS_URL=$REDIS "$PY" -m pytest -m "integration" "$@" || status=$?
elif [ "${CI:-}" = "true" ]; then
  echo "ÉCHEC : CI=true exige PostgreSQL et Redis sur 127.0.0.1 (voir ci-dessus)."
  status=1
else
  echo "SKIPPED: leg 2 (PostgreSQL + Redis + real Celery worker) not run: services not reachable."
  echo "         Only the SQLite leg ran. Start PostgreSQL and Redis on 127.0.0.1 to run it."
fi
exit $status
