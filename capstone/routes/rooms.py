"""Rooms, their history, and sending a message over HTTP."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, HTTPException, Query, Response, status
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from capstone.chat import history, join_room, member_room_ids, message_out, post_message
from capstone.chat import record_mentions as record_mentions_task
from capstone.models import Membership, Room
from capstone.routes.deps import ChatDep, RoomDep, require_member, spend_message, throttle
from capstone.schemas import (
    HistoryQuery,
    MessageIn,
    MessageOut,
    RoomCreate,
    RoomOut,
    error_responses,
)
from capstone.security import CurrentUser, SessionDep

router = APIRouter(prefix="/api/rooms", tags=["rooms"])


@router.get("", responses=error_responses(401))
async def list_rooms(user: CurrentUser, session: SessionDep) -> list[RoomOut]:
    mine = await member_room_ids(session, user)
    rooms = await session.scalars(select(Room).order_by(Room.name))
    return [RoomOut(name=room.name, member=room.id in mine) for room in rooms]


@router.post("", status_code=status.HTTP_201_CREATED, responses=error_responses(401, 403, 409, 429))
async def create_room(
    body: RoomCreate, user: CurrentUser, session: SessionDep, chat: ChatDep
) -> RoomOut:
    await throttle(
        chat,
        "rooms",
        str(user.id),
        chat.settings.rooms_per_user,
        chat.settings.room_window_seconds,
        "Too many new rooms: try again later",
    )
    room = Room(name=body.name, created_by=user.id)
    session.add(room)
    try:
        await session.flush()
        session.add(Membership(user_id=user.id, room_id=room.id))
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, "Room name already taken") from None
    return RoomOut(name=room.name, member=True)


@router.post("/{room}/join", responses=error_responses(401, 403, 404))
async def join(room: RoomDep, user: CurrentUser, session: SessionDep) -> RoomOut:
    await join_room(session, room, user)
    return RoomOut(name=room.name, member=True)


@router.get("/{room}/messages", responses=error_responses(401, 403, 404))
async def read_history(
    room: RoomDep,
    user: CurrentUser,
    session: SessionDep,
    query: Annotated[HistoryQuery, Query()],
) -> list[MessageOut]:
    """Messages in `seq` order: after `after`, or the newest `limit` before `before`; to
    members only."""
    await require_member(session, room, user)
    rows = await history(session, room, after=query.after, before=query.before, limit=query.limit)
    return [message_out(message) for message in rows]


@router.post(
    "/{room}/messages",
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": MessageOut, "description": "A resend: the message stored before"},
        **error_responses(401, 403, 404, 429),
    },
)
async def send_message(
    body: MessageIn,
    room: RoomDep,
    user: CurrentUser,
    session: SessionDep,
    chat: ChatDep,
    response: Response,
    background: BackgroundTasks,
) -> MessageOut:
    await require_member(session, room, user)
    await spend_message(chat, user.id)
    out, message_id, created = await post_message(chat, room, user, body.text, body.client_msg_id)
    if created:
        # After the response: the sender does not wait for the mentions to be recorded.
        background.add_task(record_mentions_task, chat.sessionmaker, message_id, body.text, user.id)
    else:
        response.status_code = status.HTTP_200_OK
    return out
