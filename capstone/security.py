"""Who is asking: password hashing, access tokens, the socket handshake, current-user dependencies.

- Passwords: libpass (`import passlib`) with argon2. An unknown user still costs one verify against
  a dummy hash, so response time does not tell which usernames exist.
- Access tokens: PyJWT, algorithm pinned on decode; `typ: at+jwt` in the header; `exp`, `iat`,
  `sub`, `sid`, `jti`, `iss` and `aud` required. Each login is a row in `sessions` whose random
  `sid` the token carries: a token is good while that row stands (logging out or deleting the
  account removes it), checked in the same query that loads the user.
- HTTP: a bearer token, or the `chat_session` cookie the login page sets. A cookie rides along on
  cross-site requests, so a cookie-authenticated unsafe method must come from an allowed `Origin`.
- WebSocket: `Origin` on the allow-list, then a single-use ticket (about 30 s, issued and redeemed
  through `capstone.state`, so any worker takes any worker's ticket; it stands for the session it
  was issued to) or the cookie, and the session must still stand, all checked before the socket
  is accepted; a refusal is a close with 1008 before accept.
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
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection, Request
from starlette.websockets import WebSocket

from capstone.models import LoginSession, User
from capstone.passwords import HashingBusy, HashPool
from capstone.schemas import has_nul
from capstone.settings import Settings

COOKIE_NAME = "chat_session"
# token_urlsafe(32) is 43 characters; a longer sid in a token is no sid of ours.
SID_LENGTH = 64
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

# RFC 8725 §3.11 and RFC 9068: the header says what kind of token this is, so no other JWT signed
# with the same key (an ID token, another service's) can pass for an access token.
TOKEN_TYPE = "at+jwt"
REQUIRED_CLAIMS = ["exp", "iat", "sub", "sid", "jti", "iss", "aud"]


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """What a valid access token says: whose it is and which login session it belongs to."""

    user_id: int
    session_id: str


def create_access_token(
    settings: Settings, user_id: int, session_id: str, *, now: datetime | None = None
) -> str:
    issued = now or datetime.now(UTC)
    payload = {
        "sub": str(user_id),
        "sid": session_id,
        "jti": secrets.token_urlsafe(16),
        "iat": issued,
        "exp": issued + timedelta(minutes=settings.access_token_minutes),
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
    }
    return jwt.encode(
        payload, settings.secret(), algorithm=settings.jwt_algorithm, headers={"typ": TOKEN_TYPE}
    )


def token_claims(settings: Settings, token: str) -> TokenClaims | None:
    """The claims of a valid access token, or None for anything forged, expired or odd. Valid
    here means well signed; whether its session still stands is the database's to say."""
    try:
        payload = jwt.decode(
            token,
            settings.secret(),
            algorithms=[settings.jwt_algorithm],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": REQUIRED_CLAIMS},
        )
        # Read after the signature was checked: the header is signed too.
        if jwt.get_unverified_header(token).get("typ") != TOKEN_TYPE:
            return None
    except jwt.InvalidTokenError:
        return None
    sid = payload["sid"]
    try:
        user_id = int(payload["sub"])
    except (TypeError, ValueError):
        return None
    if not (0 < user_id < 2**63 and isinstance(sid, str) and 0 < len(sid) <= SID_LENGTH):
        return None
    return TokenClaims(user_id, sid)


async def start_session(db: AsyncSession, settings: Settings, user: User) -> str:
    """Log `user` in: a new session row, and the access token that names it."""
    now = datetime.now(UTC)
    sid = secrets.token_urlsafe(32)
    expires = now + timedelta(minutes=settings.access_token_minutes)
    db.add(LoginSession(sid=sid, user_id=user.id, created_at=now, expires_at=expires))
    # The user's expired sessions go now: rows never outlive their tokens by much.
    await db.execute(
        delete(LoginSession).where(LoginSession.user_id == user.id, LoginSession.expires_at < now)
    )
    await db.commit()
    return create_access_token(settings, user.id, sid, now=now)


async def session_user(db: AsyncSession, claims: TokenClaims) -> User | None:
    """The user whose session the claims name, while that session stands (not logged out, the
    account not deleted); one query, on every request and every handshake."""
    return await db.scalar(
        select(User)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(
            LoginSession.sid == claims.session_id,
            User.id == claims.user_id,
            User.deleted_at.is_(None),
        )
    )


async def end_session(db: AsyncSession, session_id: str) -> None:
    await db.execute(delete(LoginSession).where(LoginSession.sid == session_id))
    await db.commit()


# ---- dependencies ---------------------------------------------------------------------------
# Each is `async def` though none waits: FastAPI runs a plain `def` dependency on its thread pool,
# a hand-off (and a wake-up) per dependency per request, to read an attribute.


async def get_settings(connection: HTTPConnection) -> Settings:
    settings: Settings = connection.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_sessionmaker(connection: HTTPConnection) -> async_sessionmaker[AsyncSession]:
    factory: async_sessionmaker[AsyncSession] = connection.app.state.chat.sessionmaker
    return factory


SessionMakerDep = Annotated[async_sessionmaker[AsyncSession], Depends(get_sessionmaker)]


async def get_session(factory: SessionMakerDep) -> AsyncIterator[AsyncSession]:
    async with factory() as session:
        yield session


# scope="function": the session, and the pooled connection it holds, is closed when the endpoint
# returns, before the response is sent. A client that reads its answer slowly (a large
# attachment, on purpose or not) then holds no database connection meanwhile, and a handful of
# them cannot take the whole pool. Nothing reads through it later: background tasks open their
# own sessions.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]

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
    claims = token_claims(settings, token)
    user = await session_user(session, claims) if claims is not None else None
    if user is None or claims is None:
        raise UNAUTHORIZED
    request.state.session_id = claims.session_id  # for logging out of this session
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


async def user_from_cookie(
    request: Request, session: SessionDep, settings: SettingsDep
) -> User | None:
    """The user the login cookie names, for the pages (which redirect instead of answering 401)."""
    token = request.cookies.get(COOKIE_NAME)
    claims = token_claims(settings, token) if token else None
    return await session_user(session, claims) if claims is not None else None


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
    session_id: str


async def get_socket_user(
    websocket: WebSocket, settings: SettingsDep, factory: SessionMakerDep
) -> SocketIdentity:
    """Authenticate the handshake, before accept: origin first, then a ticket or the cookie."""
    if not origin_allowed(settings, websocket.headers.get("origin")):
        raise WebSocketException(status.WS_1008_POLICY_VIOLATION, "origin not allowed")
    claims: TokenClaims | None = None
    ticket = websocket.query_params.get("ticket")
    if ticket:
        claims = ticket_claims(await websocket.app.state.chat.state.redeem_ticket(ticket))
    else:
        token = websocket.cookies.get(COOKIE_NAME)
        claims = token_claims(settings, token) if token else None
    user = None
    if claims is not None:
        async with factory() as session:  # the session must still stand (a ticket outlives none)
            user = await session_user(session, claims)
    if user is None or claims is None:
        raise WebSocketException(status.WS_1008_POLICY_VIOLATION, "not authenticated")
    return SocketIdentity(user.id, user.username, claims.session_id)


def ticket_holder(claims: TokenClaims) -> str:
    """What a socket ticket stands for: the user and the login session it was issued to."""
    return f"{claims.user_id}:{claims.session_id}"


def ticket_claims(holder: str | None) -> TokenClaims | None:
    user_id, _, session_id = (holder or "").partition(":")
    return TokenClaims(int(user_id), session_id) if user_id.isdigit() and session_id else None


SocketUser = Annotated[SocketIdentity, Depends(get_socket_user)]


async def authenticate(
    session: AsyncSession, username: str, password: str, hashing: HashPool
) -> User | None:
    """The user, if the password is theirs; `HashingBusy` when argon2's pool is full."""
    if hashing.full:  # before the database is asked: a flood's refusals cost it nothing
        raise HashingBusy
    user = None
    if not has_nul(username):  # a name no one can have: not asked (PostgreSQL would refuse it)
        user = await session.scalar(
            select(User).where(User.username == username, User.deleted_at.is_(None))
        )
        # The read is over: its connection goes back to the pool before argon2's wait, or a
        # flood of logins holds every connection and the rest of the chat waits for one.
        await session.commit()
    # argon2 is deliberately slow: off the event loop, on its own bounded pool of threads.
    ok = await hashing.run(verify_password, password, user.password_hash if user else None)
    return user if ok and user is not None else None
