"""Who is asking: password hashing, access tokens, the socket handshake, current-user dependencies.

- Passwords: libpass (`import passlib`) with argon2. An unknown user still costs one verify against
  a dummy hash, so response time does not tell which usernames exist.
- Access tokens: PyJWT, algorithm pinned on decode, `exp`, `sub` and `iat` required.
- HTTP: a bearer token, or the `chat_session` cookie the login page sets. A cookie rides along on
  cross-site requests, so a cookie-authenticated unsafe method must come from an allowed `Origin`.
- WebSocket: `Origin` on the allow-list, then a single-use ticket (about 30 s, issued and redeemed
  through `capstone.state`, so any worker takes any worker's ticket) or the cookie, all checked
  before the socket is accepted; a refusal is a close with 1008 before accept.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

import jwt
from fastapi import Depends, HTTPException, WebSocketException, status
from fastapi.security import OAuth2PasswordBearer
from passlib.context import CryptContext
from passlib.exc import PasswordSizeError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection, Request
from starlette.websockets import WebSocket

from capstone.models import User
from capstone.passwords import HashingBusy, HashPool
from capstone.schemas import has_nul
from capstone.settings import Settings

COOKIE_NAME = "chat_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

pwd_context = CryptContext(schemes=["argon2"], deprecated="auto")
_dummy_hash: str | None = None


def hash_password(password: str) -> str:
    return pwd_context.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Check a password; with no hash (unknown user) burn the same time and say no."""
    global _dummy_hash
    try:
        if password_hash is None:
            if _dummy_hash is None:
                _dummy_hash = pwd_context.hash(secrets.token_urlsafe(16))
            pwd_context.verify(password, _dummy_hash)
            return False
        return pwd_context.verify(password, password_hash)
    except PasswordSizeError:  # longer than any password we accept: wrong, for everyone
        return False


# ---- access tokens ------------------------------------------------------------------------


def create_access_token(settings: Settings, user_id: int, *, now: datetime | None = None) -> str:
    issued = now or datetime.now(UTC)
    payload = {
        "sub": str(user_id),
        "iat": issued,
        "exp": issued + timedelta(minutes=settings.access_token_minutes),
        "typ": "access",
    }
    return jwt.encode(payload, settings.secret(), algorithm=settings.jwt_algorithm)


def user_id_from_token(settings: Settings, token: str) -> int | None:
    """The user id a valid access token names, or None for anything forged, expired or odd."""
    try:
        payload = jwt.decode(
            token,
            settings.secret(),
            algorithms=[settings.jwt_algorithm],
            options={"require": ["exp", "sub", "iat"]},
        )
    except jwt.InvalidTokenError:
        return None
    if payload.get("typ") != "access":
        return None
    try:
        user_id = int(payload["sub"])
    except (TypeError, ValueError):
        return None
    return user_id if 0 < user_id < 2**63 else None


# ---- dependencies ---------------------------------------------------------------------------


def get_settings(connection: HTTPConnection) -> Settings:
    settings: Settings = connection.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_sessionmaker(connection: HTTPConnection) -> async_sessionmaker[AsyncSession]:
    factory: async_sessionmaker[AsyncSession] = connection.app.state.chat.sessionmaker
    return factory


SessionMakerDep = Annotated[async_sessionmaker[AsyncSession], Depends(get_sessionmaker)]


async def get_session(factory: SessionMakerDep) -> AsyncIterator[AsyncSession]:
    async with factory() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)

UNAUTHORIZED = HTTPException(
    status_code=status.HTTP_401_UNAUTHORIZED,
    detail="Not authenticated",
    headers={"WWW-Authenticate": "Bearer"},
)


def origin_allowed(settings: Settings, origin: str | None) -> bool:
    return origin is not None and origin in settings.allowed_origins


async def get_current_user(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    bearer: Annotated[str | None, Depends(oauth2_scheme)],
) -> User:
    token = bearer
    if token is None:
        token = request.cookies.get(COOKIE_NAME)
        if token is None:
            raise UNAUTHORIZED
        # The browser attaches the cookie to requests other sites make: the CSRF guard.
        if request.method not in SAFE_METHODS and not origin_allowed(
            settings, request.headers.get("origin")
        ):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "Origin not allowed")
    user_id = user_id_from_token(settings, token)
    user = await session.get(User, user_id) if user_id is not None else None
    if user is None:
        raise UNAUTHORIZED
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


async def user_from_cookie(
    request: Request, session: SessionDep, settings: SettingsDep
) -> User | None:
    """The user the login cookie names, for the pages (which redirect instead of answering 401)."""
    token = request.cookies.get(COOKIE_NAME)
    user_id = user_id_from_token(settings, token) if token else None
    return await session.get(User, user_id) if user_id is not None else None


PageUser = Annotated[User | None, Depends(user_from_cookie)]


@dataclass(frozen=True, slots=True)
class SocketIdentity:
    """Who opened a socket: its user's id and name, all the socket needs for its whole life.

    Not the ORM `User`: FastAPI keeps a dependency's value until the handler returns, and a loaded
    `User` keeps its instance state and identity-map bookkeeping alive with it (with the room and
    a closed session, about 3.5 KiB per idle socket, measured with tracemalloc).
    """

    id: int
    username: str


async def get_socket_user(
    websocket: WebSocket, settings: SettingsDep, factory: SessionMakerDep
) -> SocketIdentity:
    """Authenticate the handshake, before accept: origin first, then a ticket or the cookie."""
    if not origin_allowed(settings, websocket.headers.get("origin")):
        raise WebSocketException(status.WS_1008_POLICY_VIOLATION, "origin not allowed")
    user_id: int | None = None
    ticket = websocket.query_params.get("ticket")
    if ticket:
        user_id = await websocket.app.state.chat.state.redeem_ticket(ticket)
    else:
        token = websocket.cookies.get(COOKIE_NAME)
        user_id = user_id_from_token(settings, token) if token else None
    if user_id is None:
        raise WebSocketException(status.WS_1008_POLICY_VIOLATION, "not authenticated")
    async with factory() as session:
        user = await session.get(User, user_id)
    if user is None:
        raise WebSocketException(status.WS_1008_POLICY_VIOLATION, "not authenticated")
    return SocketIdentity(user.id, user.username)


SocketUser = Annotated[SocketIdentity, Depends(get_socket_user)]


async def authenticate(
    session: AsyncSession, username: str, password: str, hashing: HashPool
) -> User | None:
    """The user, if the password is theirs; `HashingBusy` when argon2's pool is full."""
    if hashing.full:  # before the database is asked: a flood's refusals cost it nothing
        raise HashingBusy
    user = None
    if not has_nul(username):  # a name no one can have: not asked (PostgreSQL would refuse it)
        user = await session.scalar(select(User).where(User.username == username))
        # The read is over: its connection goes back to the pool before argon2's wait, or a
        # flood of logins holds every connection and the rest of the chat waits for one.
        await session.commit()
    # argon2 is deliberately slow: off the event loop, on its own bounded pool of threads.
    ok = await hashing.run(verify_password, password, user.password_hash if user else None)
    return user if ok and user is not None else None
