"""The signed-in user, and the messages that mention them."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from capstone.models import Mention, Message
from capstone.schemas import MentionOut, UserOut, as_utc, error_responses
from capstone.security import CurrentUser, SessionDep

router = APIRouter(prefix="/api/users", tags=["users"])


@router.get("/me", responses=error_responses(401))
def me(user: CurrentUser) -> UserOut:
    return UserOut(id=user.id, username=user.username)


@router.get("/me/mentions", responses=error_responses(401))
async def my_mentions(user: CurrentUser, session: SessionDep) -> list[MentionOut]:
    messages = await session.scalars(
        select(Message)
        .join(Mention, Mention.message_id == Message.id)
        .where(Mention.user_id == user.id)
        .order_by(Mention.id)
    )
    return [
        MentionOut(
            room=message.room.name,
            seq=message.seq,
            author=message.author.username,
            text=message.text,
            sent_at=as_utc(message.sent_at),
        )
        for message in messages.unique()
    ]
