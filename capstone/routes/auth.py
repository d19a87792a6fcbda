"""Sign up, log in for a bearer token, and trade a token for a one-time socket ticket."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from capstone.chat import ChatState
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
    )
    try:
        return await create_user(
            session, credentials.username, credentials.password, pool_for(settings)
        )
    except HashingBusy:
        raise HASHING_BUSY from None


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
    counted. While either is spent even the right password gets 429: else the throttle would
    tell a guesser when they were right. It lasts one window after the last counted failure,
    so someone guessing at an account keeps it closed only while they keep guessing.
    """
    settings = chat.settings
    window = settings.login_window_seconds
    throttles = [
        ("login-account", username[:MAX_THROTTLE_KEY], settings.login_failures_per_account),
        ("login-address", client_address(request), settings.login_failures_per_address),
    ]
    for bucket, key, limit in throttles:
        wait = await chat.state.hit(bucket, key, limit, window, count=False)
        if wait is not None:
            raise too_many(wait, "Too many failed logins: try again later")
    try:
        user = await authenticate(session, username, password, pool_for(settings))
    except HashingBusy:
        raise HASHING_BUSY from None
    if user is None:
        for bucket, key, limit in throttles:
            await chat.state.hit(bucket, key, limit, window)
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
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    chat: ChatDep,
) -> Token:
    user = await sign_in(request, chat, session, form.username, form.password)
    return Token(access_token=create_access_token(settings, user.id))


@router.post("/ws-ticket", responses=error_responses(401, 403, 429, 503))
async def ws_ticket(user: CurrentUser, chat: ChatDep) -> WsTicket:
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
    try:
        ticket = await chat.state.issue_ticket(user.id, lifetime)
    except StateUnavailable:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "Tickets are unavailable for a moment: try again",
            headers={"Retry-After": "1"},
        ) from None
    return WsTicket(ticket=ticket, expires_in=round(lifetime))
