"""What the routers share: the running chat's state, a room looked up by name, the throttles."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, HTTPException, status
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from capstone.chat import ChatState, find_room, is_member
from capstone.middleware import DOOR_HEADER, retry_after
from capstone.models import Room, User
from capstone.security import SessionDep

Door = Literal["address", "user", "everyone"]


async def get_chat(connection: HTTPConnection) -> ChatState:
    """`async def`, as every dependency here: a plain `def` would cost a thread-pool hop."""
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


def too_many(wait: float, detail: str, door: Door | None) -> HTTPException:
    """429 with Retry-After. `door`: whose repeats `RefusalDoor` may answer until then, this
    client address's or these credentials' (a per-user throttle); None, the app answers each."""
    headers = {"Retry-After": retry_after(wait)}
    if door is not None:
        headers[DOOR_HEADER] = door
    return HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, detail, headers=headers)


# argon2's pool and its queue are full (capstone.passwords): a second is about four hashes.
# The door answers that path's requests in that second, from anyone: the pool is as full for
# them, and a flood from many addresses meets the door too.
HASHING_BUSY = HTTPException(
    status.HTTP_503_SERVICE_UNAVAILABLE,
    "The server is busy: try again in a moment",
    headers={"Retry-After": "1", DOOR_HEADER: "everyone"},
)


async def throttle(
    chat: ChatState,
    bucket: str,
    key: str,
    limit: int,
    window: float,
    detail: str,
    door: Door = "user",
) -> None:
    """Count one event of `bucket` for `key` (a user's id, or with `door="address"` a client
    address); 429 with Retry-After past `limit` per `window`."""
    wait = await chat.state.hit(bucket, key, limit, window)
    if wait is not None:
        raise too_many(wait, detail, door)


async def spend_message(chat: ChatState, user_id: int) -> None:
    """Count one message against the user's budget (socket and HTTP alike); 429 when spent."""
    wait = await chat.state.hit_message_limit(user_id)
    if wait is not None:
        raise too_many(wait, "Too many messages: slow down", "user")


def client_address(connection: HTTPConnection) -> str:
    """The client's address: the proxy's `X-Forwarded-For` when uvicorn runs with
    `--proxy-headers` and trusts that proxy, else the peer of the connection."""
    return connection.client.host if connection.client else "unknown"
