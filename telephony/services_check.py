"""`python -m telephony.services_check DATABASE_URL REDIS_URL`: exit 0 when both answer.

`make test` uses it to decide whether the integration tests can run; it
creates the test database's parent database when PostgreSQL has none yet.
"""

import sys

import psycopg
import redis


def main(database_url: str, redis_url: str) -> int:
    ok = True
    try:
        psycopg.connect(database_url.rsplit("/", 1)[0] + "/postgres", connect_timeout=3).close()
    except Exception as exc:
        print(f"PostgreSQL at {database_url} is not reachable: {exc}")
        ok = False
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except Exception as exc:
        print(f"Redis at {redis_url} is not reachable: {exc}")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
