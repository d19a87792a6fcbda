"""The room socket: `/ws/rooms/{room}?ticket=T&since=SEQ`.

Handshake: origin and credentials are checked before accept (`SocketUser`; refusal = 1008), then
membership (joining is `POST /api/rooms/{room}/join`, never a socket), then the user's socket cap
(across every worker). After accept the hub owns the socket (`Hub.join`): it follows the room,
sends the history after `since`, then goes live with no gap or repeat. This handler only reads the
client's frames from the connection and answers them.

The route is added to the app's own router (`install`), not through an included `APIRouter`:
FastAPI routes a request through each included router with frames of its own, and a socket's
request lasts as long as the socket, so on an idle socket they would be kept for nothing.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Annotated

from fastapi import FastAPI, Query, WebSocket, WebSocketException, status
from pydantic import ValidationError

from capstone.broker import pack
from capstone.chat import find_room, is_member, post_message
from capstone.chat import record_mentions as record_mentions_task
from capstone.hub import Connection, RoomRef, error_frame
from capstone.routes.deps import ChatDep
from capstone.schemas import MAX_INT, MessageFrame, TypingFrame, client_frame
from capstone.security import SocketIdentity, SocketUser

log = logging.getLogger("capstone.socket")
# How soon a client whose frame was bad, or a typing frame too soon, could usefully send again.
REFUSED_PAUSE = 1.0


def install(app: FastAPI) -> None:
    app.add_api_websocket_route("/ws/rooms/{room}", room_socket)


async def room_socket(
    websocket: WebSocket,
    room: str,
    user: SocketUser,
    chat: ChatDep,
    since: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
) -> None:
    joined = await enter_room(chat, room, user)
    if not await chat.state.acquire_socket(user.id, chat.settings.max_sockets_per_user):
        raise WebSocketException(status.WS_1008_POLICY_VIOLATION, "too many sockets")
    try:
        await websocket.accept()
        conn = await chat.hub.join(
            websocket, joined, user.id, user.username, since, user.session_id
        )
        try:
            refused = 0
            while (raw := await conn.next_frame()) is not None:
                wait = await answer(chat, conn, joined, user, raw)
                refused = refused + 1 if wait is not None else 0
                if wait is not None and refused >= chat.settings.rate_limit_messages:
                    # A client sending on past a budget's worth of refusals in a row is not
                    # read until it could be answered otherwise: its frames wait in its own
                    # buffers (TCP's flow control), not on this worker's CPU. Frames to it go
                    # on meanwhile. A pause in the protocol, not a wait for an event.
                    await asyncio.sleep(wait)
        finally:
            await chat.hub.leave(conn)
    finally:
        await chat.state.release_socket(user.id)


async def enter_room(chat: ChatDep, name: str, user: SocketIdentity) -> RoomRef:
    """Find the room the user is a member of; the socket keeps its id and name only, no ORM
    object or session (see `SocketIdentity`). Opening a socket joins nothing: a non-member is
    refused, as a page view of theirs offers the explicit join instead."""
    async with chat.sessionmaker() as session:
        found = await find_room(session, name)
        if found is None:
            raise WebSocketException(status.WS_1008_POLICY_VIOLATION, "unknown room")
        if not await is_member(session, found, user):
            raise WebSocketException(status.WS_1008_POLICY_VIOLATION, "not a member: join first")
        return RoomRef(found.id, found.name)


async def answer(
    chat: ChatDep, conn: Connection, room: RoomRef, user: SocketIdentity, raw: str
) -> float | None:
    """One client frame: a message is stored, then acked; typing is passed on; else an error.
    For a frame it refused (bad, over the message budget, typing too often): the seconds before
    the client could usefully send again."""
    try:
        frame = client_frame.validate_json(raw)
    except ValidationError as exc:
        conn.send(error_frame("bad_frame", _describe(exc)))
        return REFUSED_PAUSE
    if isinstance(frame, TypingFrame):
        if not chat.typing_limiter.allow(user.id):
            return REFUSED_PAUSE
        text = json.dumps({"type": "typing", "room": room.name, "user": user.username})
        await chat.broker.publish(room.name, pack(0, text, skip=user.username))
        return None
    assert isinstance(frame, MessageFrame)
    wait = await chat.state.hit_message_limit(user.id)
    if wait is not None:
        conn.send(error_frame("rate_limited", "too many messages: slow down"))
        return wait
    try:
        out, message_id, created = await post_message(
            chat, room, user, frame.text, frame.client_msg_id
        )
    except Exception:
        log.exception("storing a message failed")
        conn.send(error_frame("server_error", "the message was not stored: send it again"))
        return None
    if created:
        # Before the ack, so "acked" means every record of the message is written (a text
        # with no @name costs one regex search here).
        await record_mentions_task(chat.sessionmaker, message_id, frame.text, user.id)
    # A resend (the ack was lost) gets the same seq back, and no second copy of the message:
    # this socket has it from its catch-up, or gets it from the room in order.
    conn.send(json.dumps({"type": "ack", "client_msg_id": out.client_msg_id, "seq": out.seq}))
    return None


def _describe(exc: ValidationError) -> str:
    error = exc.errors(include_url=False)[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}" if where else str(error["msg"])
