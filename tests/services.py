"""Private PostgreSQL and Redis servers for the tests, started with `capstone.cluster`.

The fixtures (`postgres`, `redis_server`, `database_url`) are registered in `tests/conftest.py`;
this module holds what they are made of, so it needs nothing from pytest:

- `postgres_missing()`, `redis_missing()`, `nginx_missing()`: why it cannot run here, or None;
- `running_postgres()` / `running_redis()`: a server in its own temporary folder, removed after;
- `fresh_database(postgres)`: a new empty database with a unique name, as an asyncpg URL.
"""

from __future__ import annotations

import os
import pwd
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from capstone.cluster import Postgres, Redis, free_port, nginx_bin, postgres_bin

REDIS_SERVER = "/usr/bin/redis-server"


def postgres_missing() -> str | None:
    if postgres_bin() is None:
        return "PostgreSQL is not installed (apt-get install postgresql)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "PostgreSQL refuses root and there is no `postgres` user to run it as"
    return None


def redis_missing() -> str | None:
    if shutil.which("redis-server") or os.access(REDIS_SERVER, os.X_OK):
        return None
    return "Redis is not installed (apt-get install redis-server)"


def nginx_missing() -> str | None:
    return None if nginx_bin() else "nginx is not installed (apt-get install nginx)"


@contextmanager
def service_folder(prefix: str) -> Iterator[Path]:
    """A temporary folder the `postgres` user can reach too (pytest's own are 0700 root)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def running_postgres() -> Iterator[Postgres]:
    with service_folder("chat-postgres-") as folder:
        server = Postgres(folder / "postgres", free_port())
        server.start()
        try:
            yield server
        finally:
            server.stop()


@contextmanager
def running_redis() -> Iterator[Redis]:
    with service_folder("chat-redis-") as folder:
        server = Redis(folder, free_port())
        server.start()
        try:
            yield server
        finally:
            server.stop()


def fresh_database(postgres: Postgres) -> str:
    name = f"chat_{uuid.uuid4().hex[:16]}"
    postgres.create_database(name)
    return postgres.url(name)
