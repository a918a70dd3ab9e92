#!/usr/bin/env bash
# The whole suite, each test once on the database it matters for:
#   1. SQLite (make run's embedded default), tasks inline: the browser journeys in real Chromium and the tests marked
#      `sqlite` (conftest.py: SQLITE_LEG, what depends on the engine or on make run's demo);
#   2. PostgreSQL (the production database) with every other test, then a real Celery worker through Redis.
# When PostgreSQL and Redis do not answer on 127.0.0.1 (a laptop without them), leg 1 runs every test on SQLite
# instead; with CI=true both legs are mandatory: a missing service or browser fails the run.
# SUITE=full runs every non-browser test on both databases (the former, twice as long, suite).
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PG_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/cqp}
REDIS=${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}
status=0
# Two processes (the machine's two cores) through pytest-xdist; PYTEST_WORKERS=0 runs in one process.
# Tests that start a real Celery worker share one Redis database: they run after, in a single process.
PARALLEL=(-n "${PYTEST_WORKERS:-2}")

if "$PY" scripts/services.py "$PG_URL" "$REDIS"; then
  services=yes
else
  services=no
fi

if [ "$services" = yes ] && [ "${SUITE:-}" != full ]; then
  echo "== Leg 1/2: SQLite, Celery inline: browser journeys and the tests marked sqlite"
  env -u DATABASE_URL -u REDIS_URL "$PY" -m pytest "${PARALLEL[@]}" -m "(browser or sqlite) and not integration" "$@" \
    || status=$?
  leg2=(-m "not browser and not sqlite and not integration")
else
  echo "== Leg 1/2: SQLite, Celery inline, every test and the browser journeys"
  env -u DATABASE_URL -u REDIS_URL "$PY" -m pytest "${PARALLEL[@]}" -m "not integration" "$@" || status=$?
  leg2=(-m "not browser and not integration")
fi

echo
echo "== Leg 2/2: PostgreSQL + Redis + a real Celery worker"
if [ "$services" = yes ]; then
  DATABASE_URL=$PG_URL REDIS_URL=$REDIS "$PY" -m pytest "${PARALLEL[@]}" "${leg2[@]}" "$@" || status=$?
  DATABASE_URL=$PG_URL REDIS_URL=$REDIS "$PY" -m pytest -m "integration" "$@" || status=$?
elif [ "${CI:-}" = "true" ]; then
  echo "ÉCHEC : CI=true exige PostgreSQL et Redis sur 127.0.0.1 (voir ci-dessus)."
  status=1
else
  echo "SKIPPED: leg 2 (PostgreSQL + Redis + real Celery worker) not run: services not reachable."
  echo "         Every test ran on SQLite. Start PostgreSQL and Redis on 127.0.0.1 to run it."
fi
exit $status
