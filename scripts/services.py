"""Do PostgreSQL and Redis answer? Used by `make test` to decide whether the second leg runs.

Usage: python scripts/services.py POSTGRES_URL REDIS_URL  → exit 0 when both answer, 1 otherwise,
with one line per service saying what was tried.
"""

from __future__ import annotations

import sys
from urllib.parse import urlsplit


def postgres_answers(url: str) -> str | None:
    import psycopg2

    parts = urlsplit(url)
    try:
        # The maintenance database: the project's own may not exist yet (the tests create theirs).
        conn = psycopg2.connect(
            host=parts.hostname,
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password,
            dbname="postgres",
            connect_timeout=3,
        )
    except psycopg2.OperationalError as exc:
        return str(exc).strip().splitlines()[0]
    conn.close()
    return None


def redis_answers(url: str) -> str | None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        return str(exc)
    return None


def main(argv: list[str]) -> int:
    pg_url, redis_url = argv[1], argv[2]
    ok = True
    for name, url, probe in (("PostgreSQL", pg_url, postgres_answers), ("Redis", redis_url, redis_answers)):
        shown = f"{urlsplit(url).hostname}:{urlsplit(url).port}"
        problem = probe(url)
        if problem is None:
            print(f"{name} répond sur {shown}")
        else:
            ok = False
            print(f"{name} ne répond pas sur {shown} : {problem}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
