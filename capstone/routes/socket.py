"""The room socket: `/ws/rooms/{room}?ticket=T&since=SEQ`.

Handshake: origin and credentials are checked before accept (`SocketUser`; refusal = 1008).
Then: join the room, subscribe to the hub FIRST, send the history after `since` from the database,
then go live, dropping any live message the history already covered; nothing is lost or repeated
in the hand-over. Every later frame to this socket goes through its `Connection`, which never
makes this handler (or anyone) wait on another socket.
"""

from __future__ import annotations

import json
import logging
from typing import Annotated

from fastapi import APIRouter, Query, WebSocket, WebSocketException, status
from pydantic import ValidationError
from sqlalchemy import select
from starlette.websockets import WebSocketDisconnect

from capstone.broker import pack
from capstone.chat import (
    RoomInfo,
    encode_message,
    find_room,
    history,
    join_room,
    message_out,
    post_message,
)
from capstone.chat import record_mentions as record_mentions_task
from capstone.hub import Connection
from capstone.models import Room
from capstone.routes.deps import ChatDep
from capstone.schemas import MAX_INT, MessageFrame, TypingFrame, client_frame
from capstone.security import SocketIdentity, SocketUser

router = APIRouter()
log = logging.getLogger("capstone.socket")

TOO_BIG = 1009


def error_frame(code: str, detail: str) -> str:
    return json.dumps({"type": "error", "code": code, "detail": detail})


@router.websocket("/ws/rooms/{room}")
async def room_socket(
    websocket: WebSocket,
    room: str,
    user: SocketUser,
    chat: ChatDep,
    since: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
) -> None:
    hub = chat.hub
    if hub.sockets_of(user.id) >= chat.settings.max_sockets_per_user:
        raise WebSocketException(status.WS_1008_POLICY_VIOLATION, "too many sockets")
    hub.reserve(user.id)
    try:
        joined = await enter_room(chat, room, user)
        await websocket.accept()
        conn = hub.connection(websocket, joined.name, user.id, user.username)
        await hub.join(conn)  # subscribed before the history is read: nothing falls between
        try:
            await catch_up(chat, conn, joined, since)
            hub.announce_presence(joined.name, newcomer=conn)
            await serve(chat, conn, joined, user)
        except WebSocketDisconnect:
            pass  # gone during the catch-up or a close: it resumes with `since`
        finally:
            await hub.leave(conn)
    finally:
        hub.release(user.id)


async def enter_room(chat: ChatDep, name: str, user: SocketIdentity) -> RoomInfo:
    """Find the room and join it; the socket keeps its id and name only, no ORM object or
    session (see `SocketIdentity`)."""
    async with chat.sessionmaker() as session:
        found = await find_room(session, name)
        if found is None:
            raise WebSocketException(status.WS_1008_POLICY_VIOLATION, "unknown room")
        await join_room(session, found, user)
        return RoomInfo(found.id, found.name)


async def catch_up(chat: ChatDep, conn: Connection, room: RoomInfo, since: int) -> None:
    # Subscribed already, so the head read now covers all that the live buffer does not. A
    # `since` past it (a client's mistake, or a database restored from a backup) must not mute
    # the socket until the room's seqs catch up with it.
    async with chat.sessionmaker() as session:
        head = await session.scalar(select(Room.next_seq).where(Room.id == room.id))
    last = min(since, head or 0)
    page = chat.settings.history_page
    while True:
        async with chat.sessionmaker() as session:
            rows = await history(session, room, after=last, limit=page)
        for message in rows:
            await conn.websocket.send_text(encode_message(message_out(message)))
            last = message.seq
        if len(rows) == page:
            continue
        if conn.overflowed:  # too much arrived meanwhile: the database has it, read on
            conn.overflowed = False
            assert conn.catch_up is not None
            conn.catch_up.clear()
            continue
        break
    conn.go_live(last)


async def serve(chat: ChatDep, conn: Connection, room: RoomInfo, user: SocketIdentity) -> None:
    websocket = conn.websocket
    limit = chat.settings.max_message_bytes
    while not conn.dead:
        try:
            message = await websocket.receive()
        except (WebSocketDisconnect, RuntimeError):
            return
        if message["type"] == "websocket.disconnect":
            return
        raw = message.get("text")
        if raw is None:
            raw_bytes = message.get("bytes") or b""
            size = len(raw_bytes)
        else:
            size = len(raw.encode())
        if size > limit:
            # uvicorn's ws_max_size catches most of these first; this covers any other server.
            conn.dead = True
            await websocket.close(TOO_BIG, "frame too large")
            return
        if raw is None:
            conn.send(error_frame("bad_frame", "frames are JSON text"))
            continue
        try:
            frame = client_frame.validate_json(raw)
        except ValidationError as exc:
            conn.send(error_frame("bad_frame", _describe(exc)))
            continue
        if isinstance(frame, TypingFrame):
            if chat.typing_limiter.allow(user.id):
                text = json.dumps({"type": "typing", "room": room.name, "user": user.username})
                await chat.broker.publish(room.name, pack(0, text, skip=user.username))
            continue
        assert isinstance(frame, MessageFrame)
        if not chat.limiter.allow(user.id):
            conn.send(error_frame("rate_limited", "too many messages: slow down"))
            continue
        try:
            out, message_id, created = await post_message(
                chat, room, user, frame.text, frame.client_msg_id
            )
        except Exception:
            log.exception("storing a message failed")
            conn.send(error_frame("server_error", "the message was not stored: send it again"))
            continue
        if created:
            # Before the ack, so "acked" means every record of the message is written (a text
            # with no @name costs one regex search here).
            await record_mentions_task(chat.sessionmaker, message_id, frame.text, user.id)
        else:
            # A resend (the ack was lost): the same seq back, and the message again for this socket.
            conn.send(encode_message(out))
        conn.send(json.dumps({"type": "ack", "client_msg_id": out.client_msg_id, "seq": out.seq}))


def _describe(exc: ValidationError) -> str:
    error = exc.errors(include_url=False)[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}" if where else str(error["msg"])
