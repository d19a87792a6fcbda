"""Sign up, log in for a bearer token (a new login session), trade it for a one-time socket
ticket, log out (end that session)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, Response, status
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from capstone.chat import ChatState, end_sessions
from capstone.models import User
from capstone.passwords import HashingBusy, HashPool, pool_for
from capstone.routes.deps import (
    HASHING_BUSY,
    ChatDep,
    client_address,
    throttle,
    too_many,
)
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


async def create_user(
    session: AsyncSession, username: str, password: str, hashing: HashPool
) -> User:
    """A new account; `UsernameTaken`, or `HashingBusy` when argon2's pool is full."""
    user = User(username=username, password_hash=await hashing.run(hash_password, password))
    session.add(user)
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        raise UsernameTaken(username) from exc
    return user


async def sign_up(
    request: Request, chat: ChatState, session: AsyncSession, credentials: Credentials
) -> User:
    """`create_user` under the sign-up throttle (per client address, every attempt counted):
    429 past it, 503 when argon2's pool is full."""
    settings = chat.settings
    await throttle(
        chat,
        "registrations",
        client_address(request),
        settings.registrations_per_address,
        settings.registration_window_seconds,
        "Too many sign-ups from this address: try again later",
        door="address",
    )
    try:
        return await create_user(
            session, credentials.username, credentials.password, pool_for(settings)
        )
    except HashingBusy:
        raise HASHING_BUSY from None


class PasswordForm(BaseModel):
    """OAuth2's password grant, the fields `OAuth2PasswordRequestForm` reads, as a form model:
    parsed on the event loop, where that class, a plain-`def` dependency, is built on the thread
    pool (a hand-off per login, and a login flood is many)."""

    grant_type: Annotated[str | None, Field(pattern="^password$")] = None
    username: str
    password: str
    scope: str = ""
    client_id: str | None = None
    client_secret: str | None = None


FAILED_LOGINS = "Too many failed logins: try again later"
WRONG_PASSWORD = HTTPException(
    status.HTTP_401_UNAUTHORIZED,
    "Incorrect username or password",
    headers={"WWW-Authenticate": "Bearer"},
)
# Longer than any username (32): such a name is no account, and keeps the key short.
MAX_THROTTLE_KEY = 64


async def sign_in(
    request: Request, chat: ChatState, session: AsyncSession, username: str, password: str
) -> User:
    """`authenticate` under the failed-login throttles, per account and per client address.

    Asked before argon2 runs, so a throttled flood costs no hashing; only a wrong password is
    counted, and a try at a closed account counts against the address as one. While either is
    spent even the right password gets 429: else the throttle would tell a guesser when they
    were right. It lasts one window after the last counted failure, so someone guessing at an
    account keeps it closed only while they keep guessing.

    The door (`RefusalDoor`) answers an address's repeats until its throttle ends; an account's
    are answered here each time, or one person's mistyped password would close logins for
    everyone behind their address. Someone who keeps trying a closed account from one address
    spends that address's throttle, and then meets the door.
    """
    settings = chat.settings
    window = settings.login_window_seconds
    address = client_address(request)
    account = username[:MAX_THROTTLE_KEY]
    by_account = ("login-account", account, settings.login_failures_per_account, window)
    by_address = ("login-address", address, settings.login_failures_per_address, window)
    wait = await chat.state.hit(*by_address, count=False)
    if wait is not None:
        raise too_many(wait, FAILED_LOGINS, "address")
    wait = await chat.state.hit(*by_account, count=False)
    if wait is not None:
        await chat.state.hit(*by_address)
        raise too_many(wait, FAILED_LOGINS, None)
    try:
        user = await authenticate(session, username, password, pool_for(settings))
    except HashingBusy:
        raise HASHING_BUSY from None
    if user is None:
        await chat.state.hit(*by_account)
        await chat.state.hit(*by_address)
        raise WRONG_PASSWORD
    return user


@router.post(
    "/register", status_code=status.HTTP_201_CREATED, responses=error_responses(409, 429, 503)
)
async def register(
    credentials: Credentials, request: Request, session: SessionDep, chat: ChatDep
) -> UserOut:
    try:
        user = await sign_up(request, chat, session, credentials)
    except UsernameTaken:
        raise HTTPException(status.HTTP_409_CONFLICT, "Username already taken") from None
    return UserOut(id=user.id, username=user.username)


@router.post("/token", responses=error_responses(401, 429, 503))
async def token(
    form: Annotated[PasswordForm, Form()],
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    chat: ChatDep,
) -> Token:
    user = await sign_in(request, chat, session, form.username, form.password)
    return Token(access_token=await start_session(session, settings, user))


@router.post("/ws-ticket", responses=error_responses(401, 403, 429, 503))
async def ws_ticket(user: CurrentUser, request: Request, chat: ChatDep) -> WsTicket:
    """A single-use ticket for `/ws/rooms/{room}?ticket=...`: a token never goes in a URL."""
    await throttle(
        chat,
        "tickets",
        str(user.id),
        chat.settings.tickets_per_user,
        chat.settings.ticket_window_seconds,
        "Too many tickets: slow down",
    )
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
