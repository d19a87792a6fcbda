"""The database: the async engine and session factory (built in lifespan), the message writer."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import bindparam, event, insert, inspect, select, text, update
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import AsyncAdaptedQueuePool

from capstone.models import Message, Room, utcnow
from capstone.settings import Settings

SQLITE_BUSY_MS = 5000
SQLITE_POOL_SIZE = 5  # SQLAlchemy's default size


def make_engine(database_url: str) -> AsyncEngine:
    url = make_url(database_url)
    if not url.drivername.startswith("sqlite"):
        return create_async_engine(url, pool_pre_ping=True)
    pool: dict[str, Any] = {}  # an in-memory database lives in one shared connection
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        # A fixed pool, no overflow. Each aiosqlite connection is a thread of its own; overflow
        # connections are opened for a burst and closed after it, and every such thread leaves
        # its memory arena behind: 1,000 sockets opened at once cost 3.5 MB more with them
        # (`make bench`, idle memory). SQLite has one writer at a time, and no request holds a
        # connection across a wait (argon2, an upload arriving, its answer being sent: see
        # `SessionDep`), so a burst queues for a moment instead.
        pool = {"pool_size": SQLITE_POOL_SIZE, "max_overflow": 0}
    engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_MS / 1000}, **pool)

    @event.listens_for(engine.sync_engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        apply_sqlite_pragmas(dbapi_connection)

    return engine


def apply_sqlite_pragmas(connection: Any) -> None:
    """Every SQLite connection's settings: the pool's and the message writer's own."""
    cursor = connection.cursor()
    # WAL lets readers go on while one writer writes; the busy timeout makes a second writer
    # (another connection or process) wait for the lock instead of failing at once.
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL is safe from corruption; it skips an fsync per commit.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


# ---- the schema: Alembic migrations under capstone/migrations ----------------------------------

MIGRATIONS = "capstone:migrations"
UPGRADE_COMMAND = "uv run alembic upgrade head"
# Any number of the chat's own: PostgreSQL keys advisory locks per database.
MIGRATION_LOCK = 0x63686174  # "chat"
# What `create_all` made before there were migrations: exactly revision 0001's tables.
FIRST_REVISION = "0001"
FIRST_TABLES = frozenset({"users", "rooms", "memberships", "attachments", "messages", "mentions"})


class SchemaBehind(RuntimeError):
    """The database needs migrations the app was told not to run."""


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration without alembic.ini: the app runs from any folder."""
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    config.attributes["connection"] = connection
    return config


def adopt_create_all(context: MigrationContext, script: ScriptDirectory) -> None:
    """Record a database `create_all` made as being at 0001, rather than fail on its tables."""
    if context.get_current_heads():
        return
    assert context.connection is not None
    if FIRST_TABLES <= set(inspect(context.connection).get_table_names()):
        context.stamp(script, FIRST_REVISION)


def hold_migration_lock(connection: Connection) -> None:
    """On PostgreSQL, wait for any other worker (or `alembic` command) migrating this database.

    A transaction-level lock: the commit or rollback releases it, so a failed upgrade cannot
    leave it held on a pooled connection. Taking it twice in one transaction is taking it once.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})


def _bring_to_head(connection: Connection, upgrade: bool) -> None:
    hold_migration_lock(connection)
    config = alembic_config(connection)
    script = ScriptDirectory.from_config(config)
    context = MigrationContext.configure(connection)
    adopt_create_all(context, script)
    if set(context.get_current_heads()) == set(script.get_heads()):
        return
    if not upgrade:
        raise SchemaBehind(
            f"the database is behind the code's schema (at {context.get_current_heads() or 'none'},"
            f" head {script.get_current_head()}): run `{UPGRADE_COMMAND}`, or start with"
            " CHAT_MIGRATE_ON_START=true"
        )
    command.upgrade(config, "head")


async def migrate(engine: AsyncEngine, settings: Settings) -> None:
    """Bring the schema to the newest revision at start-up, or refuse to start behind it.

    Workers starting together on PostgreSQL upgrade once: the others wait for the migration lock,
    then find the schema up to date.
    """
    async with engine.connect() as connection:
        await connection.run_sync(_bring_to_head, settings.migrate_on_start)
        await connection.commit()


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def session_scope(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with factory() as session:
        yield session


# ---- storing messages: the hot path ---------------------------------------------------------


@dataclass(frozen=True)
class NewMessage:
    """What the writer is asked to store: the rest (seq, id, time) it assigns."""

    room_id: int
    author_id: int
    text: str
    client_msg_id: str
    attachment_id: int | None = None


@dataclass(frozen=True)
class Stored:
    id: int
    seq: int
    sent_at: datetime


# Built once: the portable path only binds parameters.
NEXT_SEQ = (
    update(Room)
    .where(Room.id == bindparam("room"))
    .values(next_seq=Room.next_seq + 1)
    .returning(Room.next_seq)
)
INSERT_MESSAGE = insert(Message).returning(Message.id)

# The same two statements for SQLite's driver, written out. The UPDATE takes SQLite's write lock,
# held to the commit: concurrent writers in any process get consecutive seqs, and commit in order.
SQLITE_NEXT_SEQ = "UPDATE rooms SET next_seq = next_seq + 1 WHERE id = ? RETURNING next_seq"
SQLITE_INSERT = (
    "INSERT INTO messages (room_id, seq, author_id, client_msg_id, text, sent_at, attachment_id)"
    " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id"
)
SQLITE_EXISTING = (
    "SELECT id FROM messages WHERE room_id = ? AND author_id = ? AND client_msg_id = ?"
)


class MessageWriter:
    """Stores each message in one transaction: bump the room's `next_seq`, insert, commit.

    A resent `client_msg_id` from the same author hits the unique constraint: its part of the
    transaction rolls back (the seq bump with it, so there is no gap) and the id of the message
    stored before comes back instead.

    On a SQLite file the writer keeps a plain `sqlite3` connection on a thread of its own, and
    each trip there stores every message waiting at that moment, in arrival order, in one
    transaction (a savepoint per message, one commit for all: group commit). One trip per
    message or fewer: through aiosqlite the same transaction took three (UPDATE, INSERT,
    COMMIT), each a wake-up of the event loop; through a pooled connection and Core statements
    ten. SQLite has one writer at a time anyway. Other databases (and an in-memory SQLite, which
    lives in one shared connection that is not ours to take) take the portable Core path.

    The thread and its connection start with the first message and end when the engine is
    disposed (lifespan's end), through SQLAlchemy's `engine_disposed` event.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sqlite = engine.dialect.name == "sqlite" and isinstance(
            engine.pool, AsyncAdaptedQueuePool
        )
        self._waiting: list[tuple[NewMessage, asyncio.Future[Stored | int]]] = []
        self._draining: asyncio.Task[None] | None = None
        self._thread: ThreadPoolExecutor | None = None
        self._db: sqlite3.Connection | None = None  # used on the writer's thread only
        # Datetimes go in exactly as SQLAlchemy would write them, so its reads parse them back.
        sent_at_type = Message.__table__.c.sent_at.type.dialect_impl(engine.dialect)
        self._datetime = sent_at_type.bind_processor(engine.dialect) or (lambda value: value)
        event.listen(engine.sync_engine, "engine_disposed", self._on_dispose)

    async def store(self, message: NewMessage) -> Stored | int:
        """Store a new message, or return the id of the message a resend repeats."""
        if not self.sqlite:
            return await self._store_core(message)
        stored: asyncio.Future[Stored | int] = asyncio.get_running_loop().create_future()
        self._waiting.append((message, stored))
        if self._draining is None:
            self._draining = asyncio.create_task(self._drain())
        # A caller cancelled here may still find its message stored: then its resend is
        # answered with it. What was acked was stored; not always the other way round.
        return await stored

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        batch: list[tuple[NewMessage, asyncio.Future[Stored | int]]] = []
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                if self._thread is None:
                    self._thread = ThreadPoolExecutor(1, thread_name_prefix="chat-writer")
                messages = [message for message, _ in batch]
                results = await loop.run_in_executor(self._thread, self._write, messages)
                for (_, stored), result in zip(batch, results, strict=True):
                    if stored.done():
                        continue
                    if isinstance(result, Exception):
                        stored.set_exception(result)
                    else:
                        stored.set_result(result)
                batch = []
        except BaseException as exc:
            # The whole trip failed (the database is locked past its timeout, the disk is
            # full, the app is stopping): nothing of it was committed, and every caller hears.
            for _, stored in [*batch, *self._waiting]:
                if not stored.done():
                    stored.set_exception(exc if isinstance(exc, Exception) else RuntimeError(exc))
            self._waiting = []
            if not isinstance(exc, Exception):
                raise
        finally:
            self._draining = None

    # ---- on the writer's thread ----

    def _write(self, messages: list[NewMessage]) -> list[Stored | int | Exception]:
        db = self._db or self._open()
        db.execute("BEGIN IMMEDIATE")
        try:
            results = [self._write_one(db, message) for message in messages]
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return results

    def _write_one(self, db: sqlite3.Connection, m: NewMessage) -> Stored | int | Exception:
        sent_at = utcnow()
        db.execute("SAVEPOINT message")
        try:
            bumped = db.execute(SQLITE_NEXT_SEQ, (m.room_id,)).fetchone()
            if bumped is None:
                raise sqlite3.IntegrityError(f"no room {m.room_id}")
            seq = int(bumped[0])
            (message_id,) = db.execute(
                SQLITE_INSERT,
                (m.room_id, seq, m.author_id, m.client_msg_id, m.text, self._datetime(sent_at),
                 m.attachment_id),
            ).fetchone()  # fmt: skip
        except sqlite3.IntegrityError as exc:  # a resend, or a room or author that is not there
            db.execute("ROLLBACK TO message")  # the seq bump goes with it: no gap
            db.execute("RELEASE message")
            row = db.execute(SQLITE_EXISTING, (m.room_id, m.author_id, m.client_msg_id)).fetchone()
            return int(row[0]) if row else exc
        db.execute("RELEASE message")
        return Stored(message_id, seq, sent_at)

    def _open(self) -> sqlite3.Connection:
        path = self.engine.url.database
        assert path, "the writer's own connection is for a SQLite file"
        # Autocommit mode: the transaction is the explicit BEGIN IMMEDIATE of each trip, which
        # takes the write lock at once (or waits for it, up to the busy timeout).
        db = sqlite3.connect(path, timeout=SQLITE_BUSY_MS / 1000, isolation_level=None)
        apply_sqlite_pragmas(db)
        self._db = db
        return db

    def _close(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            db.close()

    def _on_dispose(self, _engine: Any) -> None:
        # The connection is closed on its own thread; a later message starts another.
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.submit(self._close).result()
            thread.shutdown()

    async def _store_core(self, message: NewMessage) -> Stored | int:
        m, sent_at = message, utcnow()
        try:
            async with self.engine.begin() as connection:
                seq = (await connection.execute(NEXT_SEQ, {"room": m.room_id})).scalar_one()
                values = {**asdict(m), "seq": seq, "sent_at": sent_at}
                message_id = (await connection.execute(INSERT_MESSAGE, values)).scalar_one()
            return Stored(message_id, seq, sent_at)
        except IntegrityError:
            async with self.engine.connect() as connection:
                existing = (
                    await connection.execute(
                        select(Message.id).where(
                            (Message.room_id == m.room_id)
                            & (Message.author_id == m.author_id)
                            & (Message.client_msg_id == m.client_msg_id)
                        )
                    )
                ).scalar_one_or_none()
            if existing is None:
                raise
            return int(existing)
