"""Sign up, log in for a bearer token, and trade a token for a one-time socket ticket."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.concurrency import run_in_threadpool

from capstone.models import User
from capstone.routes.deps import ChatDep
from capstone.schemas import Credentials, Token, UserOut, WsTicket, error_responses
from capstone.security import (
    CurrentUser,
    SessionDep,
    SettingsDep,
    authenticate,
    create_access_token,
    hash_password,
)
from capstone.state import StateUnavailable

router = APIRouter(prefix="/api/auth", tags=["auth"])


class UsernameTaken(Exception):
    pass


async def create_user(session: AsyncSession, username: str, password: str) -> User:
    user = User(username=username, password_hash=await run_in_threadpool(hash_password, password))
    session.add(user)
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        raise UsernameTaken(username) from exc
    return user


@router.post("/register", status_code=status.HTTP_201_CREATED, responses=error_responses(409))
async def register(credentials: Credentials, session: SessionDep) -> UserOut:
    try:
        user = await create_user(session, credentials.username, credentials.password)
    except UsernameTaken:
        raise HTTPException(status.HTTP_409_CONFLICT, "Username already taken") from None
    return UserOut(id=user.id, username=user.username)


@router.post("/token", responses=error_responses(401))
async def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    settings: SettingsDep,
) -> Token:
    user = await authenticate(session, form.username, form.password)
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Incorrect username or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Token(access_token=create_access_token(settings, user.id))


@router.post("/ws-ticket", responses=error_responses(401, 403, 503))
async def ws_ticket(user: CurrentUser, chat: ChatDep) -> WsTicket:
    """A single-use ticket for `/ws/rooms/{room}?ticket=...`: a token never goes in a URL."""
    lifetime = chat.settings.ticket_seconds
    try:
        ticket = await chat.state.issue_ticket(user.id, lifetime)
    except StateUnavailable:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "Tickets are unavailable for a moment: try again",
            headers={"Retry-After": "1"},
        ) from None
    return WsTicket(ticket=ticket, expires_in=round(lifetime))
