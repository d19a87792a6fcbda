"""Sign up, log in for a bearer token (a new login session), trade it for a one-time socket
ticket, log out (end that session)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.concurrency import run_in_threadpool

from capstone.chat import end_sessions
from capstone.models import User
from capstone.routes.deps import ChatDep
from capstone.schemas import Credentials, Token, UserOut, WsTicket, error_responses
from capstone.security import (
    COOKIE_NAME,
    CurrentUser,
    SessionDep,
    SettingsDep,
    TokenClaims,
    authenticate,
    hash_password,
    start_session,
    ticket_holder,
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
    return Token(access_token=await start_session(session, settings, user))


@router.post("/ws-ticket", responses=error_responses(401, 403, 503))
async def ws_ticket(user: CurrentUser, request: Request, chat: ChatDep) -> WsTicket:
    """A single-use ticket for `/ws/rooms/{room}?ticket=...`: a token never goes in a URL."""
    lifetime = chat.settings.ticket_seconds
    holder = ticket_holder(TokenClaims(user.id, request.state.session_id))
    try:
        ticket = await chat.state.issue_ticket(holder, lifetime)
    except StateUnavailable:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "Tickets are unavailable for a moment: try again",
            headers={"Retry-After": "1"},
        ) from None
    return WsTicket(ticket=ticket, expires_in=round(lifetime))


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401, 403))
async def logout(
    user: CurrentUser, request: Request, session: SessionDep, chat: ChatDep
) -> Response:
    """End the session this request's token (or cookie) belongs to, on every worker: the token is
    refused from now on and the session's sockets close with 1008. Other sessions stay."""
    await end_sessions(chat, session, session_id=request.state.session_id)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    if request.cookies.get(COOKIE_NAME):
        response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="lax")
    return response
