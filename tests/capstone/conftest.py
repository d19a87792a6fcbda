"""Fixtures for the chat's in-process tests: an app on a SQLite file under tmp_path, or on a fresh
PostgreSQL database.

`databases` is parametrized (`sqlite`, `postgres`): every test that takes `settings`, `client` or
`databases` runs on both. The PostgreSQL half needs the session's server (`postgres`, which skips
without one, or fails under CI=true); each test's database is a copy of one migrated once.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url
from starlette.testclient import WebSocketTestSession

from capstone.cluster import Postgres
from capstone.db import make_engine, migrate
from capstone.main import create_app
from capstone.settings import Settings

SECRET = "test-secret-key-that-is-long-enough-0123456789"
ORIGIN = "http://testserver"
PASSWORD = "correct horse battery"


class Databases:
    """Where a test's chat keeps its data: one database per folder, like a SQLite file in it."""

    def url_for(self, where: Path, *, empty: bool = False) -> str:
        """The folder's database: `empty`, or perhaps migrated already (the app migrates it)."""
        return f"sqlite+aiosqlite:///{where / 'chat.db'}"

    def drop(self, where: Path) -> None:
        """Done with that folder's database (a SQLite file goes with its folder)."""


class PostgresDatabases(Databases):
    """Databases on the session's PostgreSQL server, each a copy of one migrated template: a
    CREATE DATABASE copies files, where migrating each one would run every revision again."""

    TEMPLATE = "chat_template"

    def __init__(self, server: Postgres) -> None:
        self.server = server
        self.names: dict[Path, str] = {}
        self.numbers = itertools.count(1)
        self.admin_dsn = make_url(server.url("postgres")).set(drivername="postgresql")
        # Its own thread and loop: asked from sync and async tests alike.
        self.thread = ThreadPoolExecutor(1, thread_name_prefix="postgres-admin")
        server.create_database(self.TEMPLATE)
        self._run(self._migrate(server.url(self.TEMPLATE)))

    def url_for(self, where: Path, *, empty: bool = False) -> str:
        if where not in self.names:
            name = f"chat_{next(self.numbers)}"
            template = "template1" if empty else self.TEMPLATE
            self._run(self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
            self.names[where] = name
        return str(self.server.url(self.names[where]))

    def drop(self, where: Path) -> None:
        name = self.names.pop(where, None)
        if name is not None:
            self._run(self._admin(f'DROP DATABASE "{name}" WITH (FORCE)'))

    def close(self) -> None:
        for where in list(self.names):
            self.drop(where)
        self.thread.shutdown()

    def _run(self, work: Coroutine[Any, Any, None]) -> None:
        self.thread.submit(asyncio.run, work).result()

    async def _admin(self, statement: str) -> None:
        connection = await asyncpg.connect(self.admin_dsn.render_as_string(hide_password=False))
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    @staticmethod
    async def _migrate(url: str) -> None:
        engine = make_engine(url)
        try:
            await migrate(engine, Settings(database_url=url))
        finally:
            await engine.dispose()


@pytest.fixture(scope="session")
def postgres_databases(postgres: Postgres) -> Iterator[PostgresDatabases]:
    databases = PostgresDatabases(postgres)
    yield databases
    databases.close()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def databases(request: pytest.FixtureRequest) -> Databases:
    if request.param == "postgres":
        found: Databases = request.getfixturevalue("postgres_databases")
        return found
    return Databases()


def make_settings(
    where: Path, databases: Databases, *, empty: bool = False, **overrides: object
) -> Settings:
    values: dict[str, object] = {
        "database_url": databases.url_for(where, empty=empty),
        "secret_key": SECRET,
        "upload_dir": where / "uploads",
        "secret_file": where / "secret_key",
        "allowed_origins": [ORIGIN],
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings(tmp_path: Path, databases: Databases) -> Iterator[Settings]:
    yield make_settings(tmp_path, databases)
    databases.drop(tmp_path)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@dataclass
class Member:
    username: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


_names = itertools.count(1)


def sign_up(client: TestClient, username: str | None = None) -> Member:
    username = username or f"user{next(_names)}"
    response = client.post("/api/auth/register", json={"username": username, "password": PASSWORD})
    assert response.status_code == 201, response.text
    token = client.post("/api/auth/token", data={"username": username, "password": PASSWORD})
    assert token.status_code == 200, token.text
    return Member(username, token.json()["access_token"])


@pytest.fixture
def member(client: TestClient) -> Callable[..., Member]:
    return lambda username=None: sign_up(client, username)


def ticket(client: TestClient, who: Member) -> str:
    response = client.post("/api/auth/ws-ticket", headers=who.auth)
    assert response.status_code == 200, response.text
    return response.json()["ticket"]


def make_room(client: TestClient, who: Member, name: str = "general") -> str:
    response = client.post("/api/rooms", json={"name": name}, headers=who.auth)
    assert response.status_code == 201, response.text
    return name


def frames_until(ws: WebSocketTestSession, kind: str) -> list[dict[str, Any]]:
    """Frames up to and including the first of `kind`."""
    seen = []
    while True:
        frame = ws.receive_json()
        seen.append(frame)
        if frame["type"] == kind:
            return seen
