"""Dependencies the routers share: the running chat's state, and a room looked up by name."""

from __future__ import annotations

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
