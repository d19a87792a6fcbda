"""What the routers share: the running chat's state, a room looked up by name, the message limit."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import Depends, HTTPException, status
from starlette.requests import HTTPConnection

from capstone.chat import ChatState, find_room
from capstone.models import Room
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


async def spend_message(chat: ChatState, user_id: int) -> None:
    """Count one message against the user's budget (socket and HTTP alike); 429 when spent."""
    wait = await chat.state.hit_message_limit(user_id)
    if wait is not None:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "Too many messages: slow down",
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
        )
