"""The signed-in user, deleting their account, and the messages that mention them."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from sqlalchemy import select

from capstone.chat import delete_account
from capstone.models import Mention, Message
from capstone.routes.deps import ChatDep
from capstone.schemas import MentionOut, UserOut, as_utc, error_responses
from capstone.security import COOKIE_NAME, CurrentUser, SessionDep

router = APIRouter(prefix="/api/users", tags=["users"])


@router.get("/me", responses=error_responses(401))
def me(user: CurrentUser) -> UserOut:
    return UserOut(id=user.id, username=user.username)


@router.delete("/me", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401, 403))
async def delete_me(user: CurrentUser, session: SessionDep, chat: ChatDep) -> Response:
    """Delete the account: every login of it ends and its sockets close with 1008. Its messages
    stay in their rooms, shown under a placeholder name; the username is free again."""
    await delete_account(chat, session, user)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="lax")
    return response


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
