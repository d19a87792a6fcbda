"""The chat's rules, shared by the HTTP routes and the socket: rooms, storing and sending messages.

Storing a message is one transaction (`capstone.db.MessageWriter`): bump the room's `next_seq`
with `UPDATE ... RETURNING` (the row lock, or SQLite's write lock, serialises writers in every
process), insert, commit; only then publish. A resent `client_msg_id` from the same author hits the
unique constraint: the transaction rolls back (the seq bump with it) and the message stored before
comes back. A per-room lock in this process makes publishes leave in `seq` order, so the hub
delivers in order.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Protocol
from weakref import WeakValueDictionary

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from capstone.broker import Broker, pack
from capstone.db import MessageWriter, NewMessage
from capstone.hub import Hub, RoomRef
from capstone.models import (
    Attachment,
    LoginSession,
    Membership,
    Mention,
    Message,
    Room,
    User,
    utcnow,
)
from capstone.schemas import AttachmentOut, MessageOut, as_utc, is_room_name
from capstone.settings import Settings
from capstone.state import RateLimiter, SharedState

MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_-]{3,32})")


@dataclass
class ChatState:
    """Everything the running app holds, built in lifespan and kept on `app.state.chat`."""

    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    hub: Hub
    broker: Broker
    # Tickets, the message limit, the socket cap, presence: what every worker must agree on.
    state: SharedState
    typing_limiter: RateLimiter  # per process: a typing hint needs no agreement
    # Held from store to publish, so this process publishes a room's messages in seq order; weak,
    # so a room's lock goes when no one holds it.
    room_locks: WeakValueDictionary[int, asyncio.Lock] = field(default_factory=WeakValueDictionary)
    background: set[asyncio.Task[None]] = field(default_factory=set)
    writer: MessageWriter = field(init=False)

    def __post_init__(self) -> None:
        self.writer = MessageWriter(self.engine)


# ---- what the message path needs of a room and an author -------------------------------------


class HasId(Protocol):
    @property
    def id(self) -> int: ...


class RoomLike(HasId, Protocol):
    """An ORM `Room`, or a `RoomRef` (what a long-lived socket keeps instead)."""

    @property
    def name(self) -> str: ...


class AuthorLike(HasId, Protocol):
    """An ORM `User`, or the socket's `SocketIdentity`."""

    @property
    def username(self) -> str: ...


# ---- rooms ------------------------------------------------------------------------------------


async def find_room(session: AsyncSession, name: str) -> Room | None:
    if not is_room_name(name):
        return None  # never created, and some (a NUL) the database would refuse to compare
    return await session.scalar(select(Room).where(Room.name == name))


async def is_member(session: AsyncSession, room: HasId, user: HasId) -> bool:
    return await session.get(Membership, (user.id, room.id)) is not None


async def join_room(session: AsyncSession, room: HasId, user: HasId) -> None:
    """Idempotent, also when the same user joins from several requests at once: one
    `INSERT ... ON CONFLICT DO NOTHING`, so a lost race is no error and no rollback (which would
    expire the caller's ORM objects and make its next attribute read a lazy load)."""
    if await is_member(session, room, user):
        return
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
    await session.execute(
        insert(Membership).values(user_id=user.id, room_id=room.id).on_conflict_do_nothing()
    )
    await session.commit()


async def member_room_ids(session: AsyncSession, user: User) -> set[int]:
    rows = await session.scalars(select(Membership.room_id).where(Membership.user_id == user.id))
    return set(rows)


# ---- logins and accounts ----------------------------------------------------------------------

# What a deleted account is shown as: a space, so no one can sign up with it (names are
# `[A-Za-z0-9_-]`); the id, so two deleted accounts stay two; at most 32 characters for 2^63.
DELETED_NAME = "deleted user {id}"


async def end_sessions(
    chat: ChatState, session: AsyncSession, *, session_id: str | None = None, user_id: int = 0
) -> None:
    """Log out one login (`session_id`), or every login of `user_id`. The rows go first, so every
    worker refuses the tokens from now on; this process's sockets of those logins close with 1008
    now, other workers' at their next sweep (`sweep_ended_logins`)."""
    if session_id is not None:
        await session.execute(delete(LoginSession).where(LoginSession.sid == session_id))
    else:
        await session.execute(delete(LoginSession).where(LoginSession.user_id == user_id))
    await session.commit()
    if session_id is not None:
        chat.hub.end_logins(lambda conn: conn.session_id == session_id)
    else:
        chat.hub.end_logins(lambda conn: conn.user_id == user_id)


async def delete_account(chat: ChatState, session: AsyncSession, user: User) -> None:
    """The account ends: its logins, memberships and mentions go; its row stays (the id is never
    handed out again) under a placeholder name, so its messages keep an author; the name it had
    is free to sign up with again."""
    user_id = user.id
    await session.execute(delete(Membership).where(Membership.user_id == user_id))
    await session.execute(delete(Mention).where(Mention.user_id == user_id))
    await session.execute(
        update(User)
        .where(User.id == user_id)
        .values(username=DELETED_NAME.format(id=user_id), password_hash="", deleted_at=utcnow())
    )
    await end_sessions(chat, session, user_id=user_id)  # commits it all at once


async def sweep_ended_logins(chat: ChatState) -> None:
    """Close this process's sockets whose login ended on another worker. One query a round,
    only for the logins this process has sockets of."""
    live = chat.hub.session_ids()
    if not live:
        return
    async with chat.sessionmaker() as session:
        standing = set(
            await session.scalars(
                select(LoginSession.sid)
                .join(User, User.id == LoginSession.user_id)
                .where(LoginSession.sid.in_(live), User.deleted_at.is_(None))
            )
        )
    if ended := live - standing:
        chat.hub.end_logins(lambda conn: conn.session_id in ended)


# ---- messages ---------------------------------------------------------------------------------


def attachment_out(attachment: Attachment) -> AttachmentOut:
    return AttachmentOut(
        id=attachment.id,
        filename=attachment.filename,
        size=attachment.size,
        content_type=attachment.content_type,
    )


def message_out(message: Message) -> MessageOut:
    return MessageOut(
        room=message.room.name,
        seq=message.seq,
        author=message.author.username,
        text=message.text,
        client_msg_id=message.client_msg_id,
        sent_at=as_utc(message.sent_at),
        attachment=attachment_out(message.attachment) if message.attachment else None,
    )


def encode_message(out: MessageOut) -> str:
    """The message frame, encoded once for every recipient."""
    return json.dumps(
        {"type": "message", **out.model_dump(mode="json", exclude_none=True)},
        ensure_ascii=False,
        separators=(",", ":"),
    )


async def history(
    session: AsyncSession,
    room: HasId,
    *,
    after: int | None = None,
    before: int | None = None,
    limit: int = 100,
) -> Sequence[Message]:
    query = select(Message).where(Message.room_id == room.id)
    if after is not None:
        query = query.where(Message.seq > after)
    if before is not None:
        query = query.where(Message.seq < before)
    if before is not None and after is None:
        # Paging backwards: the newest `limit` before `before`, handed back in seq order.
        rows = (await session.scalars(query.order_by(Message.seq.desc()).limit(limit))).all()
        return rows[::-1]
    return (await session.scalars(query.order_by(Message.seq).limit(limit))).all()


class DatabaseFeed:
    """The hub's reads from the database (`capstone.hub.FeedSource`): room heads and the message
    frames after a seq, encoded as the live ones are."""

    def __init__(self, factory: async_sessionmaker[AsyncSession]) -> None:
        self.factory = factory

    async def head(self, room_id: int) -> int:
        async with self.factory() as session:
            head = await session.scalar(select(Room.next_seq).where(Room.id == room_id))
        return head or 0

    async def heads(self, room_ids: Collection[int]) -> dict[int, int]:
        async with self.factory() as session:
            rows = await session.execute(
                select(Room.id, Room.next_seq).where(Room.id.in_(list(room_ids)))
            )
            return {room_id: head for room_id, head in rows.tuples()}

    async def frames_after(self, room_id: int, after: int, limit: int) -> list[tuple[int, str]]:
        async with self.factory() as session:
            rows = await history(session, RoomRef(room_id, ""), after=after, limit=limit)
            return [(message.seq, encode_message(message_out(message))) for message in rows]


async def post_message(
    chat: ChatState,
    room: RoomLike,
    author: AuthorLike,
    text: str,
    client_msg_id: str,
    attachment: Attachment | None = None,
) -> tuple[MessageOut, int, bool]:
    """Store, then publish. Returns the message, its row id, and whether it is new."""
    lock = chat.room_locks.get(room.id)
    if lock is None:
        lock = chat.room_locks[room.id] = asyncio.Lock()
    async with lock:
        attachment_id = attachment.id if attachment else None
        stored = await chat.writer.store(
            NewMessage(room.id, author.id, text, client_msg_id, attachment_id)
        )
        if isinstance(stored, int):
            async with chat.sessionmaker() as session:
                message = await session.get(Message, stored)
                assert message is not None
                return message_out(message), message.id, False
        out = MessageOut(
            room=room.name,
            seq=stored.seq,
            author=author.username,
            text=text,
            client_msg_id=client_msg_id,
            sent_at=stored.sent_at,
            attachment=attachment_out(attachment) if attachment else None,
        )
        await chat.broker.publish(room.name, pack(out.seq, encode_message(out)))
    return out, stored.id, True


async def record_mentions(
    factory: async_sessionmaker[AsyncSession], message_id: int, text: str, author_id: int
) -> None:
    """Background work after the response: remember who was @mentioned."""
    names = set(MENTION.findall(text))
    if not names:
        return
    # Only the room's members: anyone else would learn of a message they cannot read.
    room_id = select(Message.room_id).where(Message.id == message_id).scalar_subquery()
    async with factory() as session:
        users = await session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.room_id == room_id, User.username.in_(names))
        )
        for user in users:
            if user.id != author_id:
                session.add(Mention(user_id=user.id, message_id=message_id))
        try:
            await session.commit()
        except IntegrityError:
            await session.rollback()  # recorded already (a resent message)
