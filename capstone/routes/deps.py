"""What the routers share: the running chat's state, a room looked up by name, the throttles."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import Depends, HTTPException, status
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from capstone.chat import ChatState, find_room, is_member
from capstone.models import Room, User
from capstone.security import SessionDep


def get_chat(connection: HTTPConnection) -> ChatState:
    chat: ChatState = connection.app.state.chat
    return chat


ChatDep = Annotated[ChatState, Depends(get_chat)]


async def get_room(room: str, session: SessionDep) -> Room:
    found = await find_room(session, room)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Room not found")
    return found


RoomDep = Annotated[Room, Depends(get_room)]


async def require_member(session: AsyncSession, room: Room, user: User) -> None:
    """403 for anyone who has not joined the room."""
    if not await is_member(session, room, user):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Join the room first")


def too_many(wait: float, detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS,
        detail,
        headers={"Retry-After": str(max(1, math.ceil(wait)))},
    )


# argon2's pool and its queue are full (capstone.passwords): a second is about four hashes.
HASHING_BUSY = HTTPException(
    status.HTTP_503_SERVICE_UNAVAILABLE,
    "The server is busy: try again in a moment",
    headers={"Retry-After": "1"},
)


async def throttle(
    chat: ChatState, bucket: str, key: str, limit: int, window: float, detail: str
) -> None:
    """Count one event of `bucket` for `key`; 429 with Retry-After past `limit` per `window`."""
    wait = await chat.state.hit(bucket, key, limit, window)
    if wait is not None:
        raise too_many(wait, detail)


async def spend_message(chat: ChatState, user_id: int) -> None:
    """Count one message against the user's budget (socket and HTTP alike); 429 when spent."""
    wait = await chat.state.hit_message_limit(user_id)
    if wait is not None:
        raise too_many(wait, "Too many messages: slow down")


def client_address(connection: HTTPConnection) -> str:
    """The client's address: the proxy's `X-Forwarded-For` when uvicorn runs with
    `--proxy-headers` and trusts that proxy, else the peer of the connection."""
    return connection.client.host if connection.client else "unknown"
