"""The message writer's promises on both of its paths: SQLite on the writer's own thread (the
default file database) and the portable SQLAlchemy Core path (in-memory SQLite, and PostgreSQL).

Seqs are consecutive per room; a resent `client_msg_id` gets the first message's id back and burns
no seq; a failed insert leaves no gap either; the stored rows read back through SQLAlchemy.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from capstone.db import MessageWriter, NewMessage, Stored, make_engine, migrate
from capstone.models import Message, Room, User
from tests.capstone.conftest import Databases, make_settings


@pytest_asyncio.fixture(params=["sqlite-driver", "sqlite-core", "postgres"])
async def writer(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[MessageWriter]:
    on_postgres = request.param == "postgres"
    databases: Databases = (
        request.getfixturevalue("postgres_databases") if on_postgres else Databases()
    )
    settings = make_settings(tmp_path, databases)
    engine = make_engine(settings.database_url)
    await migrate(engine, settings)
    async with engine.begin() as connection:
        await connection.execute(insert(User).values(id=1, username="ada", password_hash="x"))
        await connection.execute(insert(Room).values(id=1, name="general", next_seq=0))
        await connection.execute(insert(Room).values(id=2, name="random", next_seq=0))
    writer = MessageWriter(engine)
    assert writer.sqlite != on_postgres, "a file database takes the writer's own thread by default"
    writer.sqlite = request.param == "sqlite-driver"
    yield writer
    await engine.dispose()
    databases.drop(tmp_path)


async def stored_seqs(writer: MessageWriter, room_id: int) -> list[int]:
    async with writer.engine.connect() as connection:
        rows = await connection.execute(
            select(Message.seq).where(Message.room_id == room_id).order_by(Message.seq)
        )
        return list(rows.scalars())


@pytest.mark.asyncio
async def test_seqs_are_consecutive_per_room(writer: MessageWriter) -> None:
    first = await writer.store(NewMessage(1, 1, "one", "a", None))
    second = await writer.store(NewMessage(1, 1, "two", "b", None))
    elsewhere = await writer.store(NewMessage(2, 1, "hello", "c", None))
    assert isinstance(first, Stored) and isinstance(second, Stored)
    assert isinstance(elsewhere, Stored)
    assert (first.seq, second.seq, elsewhere.seq) == (1, 2, 1)
    assert await stored_seqs(writer, 1) == [1, 2]


@pytest.mark.asyncio
async def test_a_resend_returns_the_first_message_and_burns_no_seq(writer: MessageWriter) -> None:
    first = await writer.store(NewMessage(1, 1, "one", "same-id", None))
    assert isinstance(first, Stored)
    again = await writer.store(NewMessage(1, 1, "one", "same-id", None))
    assert again == first.id
    after = await writer.store(NewMessage(1, 1, "two", "next-id", None))
    assert isinstance(after, Stored) and after.seq == 2
    assert await stored_seqs(writer, 1) == [1, 2]


@pytest.mark.asyncio
async def test_a_failed_insert_leaves_no_gap(writer: MessageWriter) -> None:
    await writer.store(NewMessage(1, 1, "one", "a", None))
    # The SQLite path lets sqlite3's own error through; either way the caller sees it fail.
    with pytest.raises((IntegrityError, sqlite3.IntegrityError)):
        await writer.store(NewMessage(1, 999, "from nobody", "b", None))  # no such author
    after = await writer.store(NewMessage(1, 1, "two", "c", None))
    assert isinstance(after, Stored) and after.seq == 2
    assert await stored_seqs(writer, 1) == [1, 2]


@pytest.mark.asyncio
async def test_rows_read_back_through_sqlalchemy(writer: MessageWriter) -> None:
    stored = await writer.store(NewMessage(1, 1, "héllo <b>", "a", None))
    assert isinstance(stored, Stored)
    async with writer.engine.connect() as connection:
        row = (await connection.execute(select(Message).where(Message.id == stored.id))).one()
    assert (row.text, row.client_msg_id, row.seq) == ("héllo <b>", "a", 1)
    assert row.sent_at.replace(tzinfo=None) == stored.sent_at.replace(tzinfo=None)


@pytest.mark.asyncio
async def test_messages_stored_together_keep_every_promise(writer: MessageWriter) -> None:
    """Many at once (one commit for all on SQLite): arrival order is seq order per room, a resend
    in the same batch gets the first one's id, and one bad message fails alone."""
    batch = [
        NewMessage(1, 1, "one", "a"),
        NewMessage(2, 1, "elsewhere", "b"),
        NewMessage(1, 1, "one again", "a"),  # a resend of the first
        NewMessage(1, 999, "from nobody", "c"),  # no such author
        NewMessage(1, 1, "two", "d"),
        NewMessage(3, 1, "no such room", "e"),
    ]
    results = await asyncio.gather(*(writer.store(m) for m in batch), return_exceptions=True)
    first, elsewhere, again, nobody, two, no_room = results
    if not writer.sqlite and isinstance(again, Stored):
        # On the Core path each message is its own transaction, racing the others (in the app
        # the room's lock orders them): the resend may win, and then the first is the repeat.
        first, again = again, first
    assert isinstance(first, Stored) and isinstance(elsewhere, Stored) and isinstance(two, Stored)
    assert elsewhere.seq == 1
    if writer.sqlite:  # one trip, in arrival order
        assert (first.seq, two.seq) == (1, 2)
    assert {first.seq, two.seq} == {1, 2}
    assert again == first.id
    assert isinstance(nobody, (IntegrityError, sqlite3.IntegrityError))
    assert isinstance(no_room, Exception)
    assert await stored_seqs(writer, 1) == [1, 2]
    assert await stored_seqs(writer, 2) == [1]
    # And the writer goes on after them.
    after = await writer.store(NewMessage(1, 1, "three", "f"))
    assert isinstance(after, Stored) and after.seq == 3


@pytest.mark.asyncio
async def test_a_second_app_on_the_same_engine_life_stores_again(
    writer: MessageWriter, tmp_path: Path
) -> None:
    """The writer's own connection ends with the engine's dispose; a later message opens one."""
    await writer.store(NewMessage(1, 1, "before", "a"))
    await writer.engine.dispose()
    after = await writer.store(NewMessage(1, 1, "after", "b"))
    assert isinstance(after, Stored) and after.seq == 2
