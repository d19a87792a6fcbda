"""Private PostgreSQL and Redis servers for the tests: a re-export of `capstone.cluster`'s helpers.

The fixtures (`postgres`, `redis_server`, `database_url`) are registered in `tests/conftest.py`.
What they are made of lives in `capstone.cluster`, beside the classes it starts, so that the
benchmarks use it too without importing from the tests; this module keeps the tests' old names:

- `postgres_missing()`, `redis_missing()`, `nginx_missing()`: why it cannot run here, or None;
- `running_postgres()` / `running_redis()`: a server in its own temporary folder, removed after;
- `fresh_database(postgres)`: a new empty database with a unique name, as an asyncpg URL.
"""

from capstone.cluster import (
    REDIS_SERVER,
    fresh_database,
    nginx_missing,
    postgres_missing,
    redis_missing,
    running_postgres,
    running_redis,
    service_folder,
)

__all__ = [
    "REDIS_SERVER",
    "fresh_database",
    "nginx_missing",
    "postgres_missing",
    "redis_missing",
    "running_postgres",
    "running_redis",
    "service_folder",
]
