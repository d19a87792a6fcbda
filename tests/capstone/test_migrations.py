"""The schema is Alembic's: the app upgrades at start-up, or refuses to start behind with the
command to run; a database the old `create_all` made is adopted with its data; several workers
starting together on one PostgreSQL database all start.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import insert, inspect, text
from sqlalchemy.engine import Connection

from capstone.db import FIRST_REVISION, SchemaBehind, alembic_config, make_engine
from capstone.main import create_app
from capstone.models import Base, Membership, Message, Room, User
from capstone.security import hash_password
from capstone.settings import Settings
from tests.capstone.conftest import (
    PASSWORD,
    Databases,
    PostgresDatabases,
    make_settings,
    sign_up,
)
from tests.conftest import ROOT

T = TypeVar("T")
HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


Fresh = Callable[..., Settings]


@pytest.fixture
def fresh(tmp_path: Path, databases: Databases) -> Iterator[Fresh]:
    """Settings on an empty database, dropped after the test."""
    yield lambda **overrides: make_settings(tmp_path, databases, empty=True, **overrides)
    databases.drop(tmp_path)


def on_database(url: str, work: Callable[[Connection], T]) -> T:
    """Run `work` on a connection of its own, outside any app, and commit."""

    async def run() -> T:
        engine = make_engine(url)
        try:
            async with engine.connect() as connection:
                result = await connection.run_sync(work)
                await connection.commit()
                return result
        finally:
            await engine.dispose()

    return asyncio.run(run())


def versions(connection: Connection) -> list[str]:
    return list(MigrationContext.configure(connection).get_current_heads())


def differences(connection: Connection) -> list[object]:
    return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))


def tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def test_a_fresh_database_is_migrated_at_start_up_to_exactly_the_models(fresh: Fresh) -> None:
    settings = fresh()
    assert on_database(settings.database_url, tables) == set()
    with TestClient(create_app(settings)) as client:
        sign_up(client, "alice")
    assert on_database(settings.database_url, versions) == [HEAD]
    assert on_database(settings.database_url, differences) == []


def test_a_database_behind_refuses_to_start_and_names_the_command(fresh: Fresh) -> None:
    settings = fresh(migrate_on_start=False)
    url = settings.database_url
    with (
        pytest.raises(SchemaBehind, match=r"run `uv run alembic upgrade head`"),
        TestClient(create_app(settings)),
    ):
        pass
    assert on_database(url, tables) == set()  # told not to, it changed nothing

    # The command it names brings the database up, and then the app starts.
    upgraded = subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "CHAT_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=50,
        check=False,
    )
    assert upgraded.returncode == 0, upgraded.stderr
    with TestClient(create_app(settings)) as client:
        sign_up(client, "alice")


def create_all_with_a_conversation(connection: Connection) -> None:
    """What the chat before migrations left behind: its tables (revision 0001's), no version,
    and data."""
    command.upgrade(alembic_config(connection), FIRST_REVISION)
    connection.execute(text("DROP TABLE alembic_version"))
    connection.execute(
        insert(User).values(id=1, username="ada", password_hash=hash_password(PASSWORD))
    )
    connection.execute(insert(Room).values(id=1, name="general", next_seq=1, created_by=1))
    connection.execute(insert(Membership).values(user_id=1, room_id=1))
    connection.execute(
        insert(Message).values(room_id=1, seq=1, author_id=1, client_msg_id="m1", text="hello")
    )


@pytest.mark.parametrize("migrate_on_start", [True, False], ids=["migrating", "not migrating"])
def test_a_create_all_database_is_adopted_with_its_data(
    fresh: Fresh, migrate_on_start: bool
) -> None:
    settings = fresh(migrate_on_start=migrate_on_start)
    url = settings.database_url
    on_database(url, create_all_with_a_conversation)
    if not migrate_on_start:  # adopted as 0001, which is behind: the command is named
        with (
            pytest.raises(SchemaBehind, match=r"at \('0001',\).*uv run alembic upgrade head"),
            TestClient(create_app(settings)),
        ):
            pass
        return
    with TestClient(create_app(settings)) as client:
        token = client.post("/api/auth/token", data={"username": "ada", "password": PASSWORD})
        assert token.status_code == 200, token.text
        auth = {"Authorization": f"Bearer {token.json()['access_token']}"}
        history = client.get("/api/rooms/general/messages", headers=auth).json()
        assert [(m["seq"], m["author"], m["text"]) for m in history] == [(1, "ada", "hello")]
        sent = client.post(
            "/api/rooms/general/messages",
            json={"text": "again", "client_msg_id": "m2"},
            headers=auth,
        )
        assert (sent.status_code, sent.json()["seq"]) == (201, 2)
    assert on_database(url, versions) == [HEAD]


def test_two_workers_starting_together_on_one_postgresql_database_both_start(
    tmp_path: Path, postgres_databases: PostgresDatabases
) -> None:
    settings = make_settings(tmp_path, postgres_databases, empty=True)
    apps = [create_app(settings) for _ in range(2)]
    together = threading.Barrier(len(apps))
    results: list[BaseException | int] = []

    def start(app: object) -> None:
        try:
            together.wait(timeout=30)
            with TestClient(app) as client:  # type: ignore[arg-type]
                results.append(client.get("/readyz").status_code)
        except BaseException as exc:  # reported below, with what the other worker did
            results.append(exc)

    workers = [threading.Thread(target=start, args=(app,)) for app in apps]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + 40
    for worker in workers:
        worker.join(timeout=max(0.0, deadline - time.monotonic()))
    assert results == [200, 200]
    assert on_database(settings.database_url, versions) == [HEAD]
    postgres_databases.drop(tmp_path)


def test_an_in_memory_database_is_migrated_on_the_apps_own_connection(tmp_path: Path) -> None:
    """`sqlite+aiosqlite://` lives in one connection: Alembic must migrate that one."""
    settings = make_settings(tmp_path, Databases(), database_url="sqlite+aiosqlite://")
    with TestClient(create_app(settings)) as client:
        alice = sign_up(client, "alice")
        assert client.post("/api/rooms", json={"name": "general"}, headers=alice.auth).is_success
        url = "/api/rooms/general/messages"
        sent = client.post(url, json={"text": "hi", "client_msg_id": "m1"}, headers=alice.auth)
        assert (sent.status_code, sent.json()["seq"]) == (201, 1)
        assert [m["text"] for m in client.get(url, headers=alice.auth).json()] == ["hi"]
