"""Lesson 24 — Scopes, HTTP Basic and API keys

Three ways to say who is calling. OAuth2 scopes: a token says what it may do (`read`, `write`,
`moderate`), each endpoint asks with `Security()`, one dependency checks through `SecurityScopes`,
and a missing scope gets 403 naming it. HTTP Basic guards the operator's `/admin/stats`
(`secrets.compare_digest`); an API key in `X-Bot-Key` lets a bot post announcements. All three
are security schemes in the OpenAPI document, with an Authorize form each in /docs.

Run:  uvicorn lessons.l24_security_scopes:app --reload   (then open http://127.0.0.1:8000/docs)
Test: pytest tests/lessons/test_l24_security_scopes.py
"""

import secrets
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Annotated

import jwt
from fastapi import Depends, FastAPI, HTTPException, Security, status
from fastapi.security import (
    APIKeyHeader,
    HTTPBasic,
    HTTPBasicCredentials,
    OAuth2PasswordBearer,
    OAuth2PasswordRequestForm,
    SecurityScopes,
)
from passlib.context import CryptContext
from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

app = FastAPI(
    title="Lesson 24 — Scopes, HTTP Basic and API keys",
    description="Tokens that carry what they may do, an operator's password, a bot's key.",
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHAT_")

    secret_key: str = Field(default_factory=lambda: secrets.token_urlsafe(32), min_length=32)
    token_minutes: int = Field(default=30, gt=0)
    # Known defaults, so this page's commands work as written. A real server sets them in its
    # environment (CHAT_ADMIN_PASSWORD, CHAT_BOT_KEY) and has no defaults for them.
    admin_username: str = "operator"
    admin_password: SecretStr = SecretStr("open-sesame")
    bot_key: SecretStr = SecretStr("beep-boop-key")


@lru_cache
def get_settings() -> Settings:
    return Settings()


SettingsDep = Annotated[Settings, Depends(get_settings)]


def unauthorized(detail: str, challenge: str) -> HTTPException:
    # 401 always names, in WWW-Authenticate, the way the client should prove who it is.
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail, {"WWW-Authenticate": challenge})


# --8<-- [start:users]
SCOPES = {
    "read": "Read rooms and their messages.",
    "write": "Post messages.",
    "moderate": "Delete anyone's messages.",
}


class User(BaseModel):
    username: str
    allowed_scopes: set[str]
    hashed_password: str


password_context = CryptContext(schemes=["argon2"], deprecated="auto")
USERS = {
    "alice": User(  # password: wonderland; a moderator
        username="alice",
        allowed_scopes={"read", "write", "moderate"},
        hashed_password="$argon2id$v=19$m=65536,t=3,p=4$eM8ZA4DQmvNea03JWYsxRg$"
        "ZzmCGimN+akg9Hal4shPjntGufgos6RjHA+86xEYceE",
    ),
    "bob": User(  # password: builder; a member who reads and writes
        username="bob",
        allowed_scopes={"read", "write"},
        hashed_password="$argon2id$v=19$m=65536,t=3,p=4$W8s5h5AyBuDce++d05rTeg$"
        "EUE122yF75+iSL+2rEBRXOvb2mDu/URlYD8WaOgjLo8",
    ),
}
DUMMY_HASH = password_context.hash("no user has this password")
# --8<-- [end:users]


# --8<-- [start:token]
ALGORITHM = "HS256"


class Token(BaseModel):
    access_token: str
    token_type: str
    scope: str  # the scopes granted, space-separated, as OAuth2 spells them


@app.post("/token")
def login(form: Annotated[OAuth2PasswordRequestForm, Depends()], settings: SettingsDep) -> Token:
    user = USERS.get(form.username)
    hashed = user.hashed_password if user else DUMMY_HASH  # as in lesson 14: same cost either way
    if not password_context.verify(form.password, hashed) or user is None:
        raise unauthorized("Incorrect username or password", "Bearer")
    # The form's `scope` field, split on spaces: what the client asks for. A scope the account
    # may not have is refused, not quietly dropped, so the client knows what it did not get.
    refused = sorted(set(form.scopes) - user.allowed_scopes)
    if refused:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"Scope not allowed: {' '.join(refused)}")
    scope = " ".join(sorted(set(form.scopes)))
    now, minutes = datetime.now(UTC), timedelta(minutes=settings.token_minutes)
    claims = {"sub": user.username, "scope": scope, "iat": now, "exp": now + minutes}
    token = jwt.encode(claims, settings.secret_key, algorithm=ALGORITHM)
    return Token(access_token=token, token_type="bearer", scope=scope)


# --8<-- [end:token]


# --8<-- [start:scopes]
# The scopes named here are what /docs offers as checkboxes in its Authorize form.
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token", scopes=SCOPES)


class Caller(BaseModel):
    username: str
    scopes: list[str]


def get_caller(
    security_scopes: SecurityScopes,
    token: Annotated[str, Depends(oauth2_scheme)],
    settings: SettingsDep,
) -> Caller:
    # `security_scopes.scopes`: every scope the endpoint and the dependencies between it and
    # this one asked for with Security(..., scopes=[...]).
    challenge = (
        f'Bearer scope="{security_scopes.scope_str}"' if security_scopes.scopes else "Bearer"
    )
    refused = unauthorized("Could not validate credentials", challenge)
    try:
        claims = jwt.decode(
            token,
            settings.secret_key,
            algorithms=[ALGORITHM],  # pinned, as in lesson 14
            options={"require": ["exp", "sub", "iat"]},
        )
    except jwt.InvalidTokenError as e:
        raise refused from e
    granted = claims.get("scope", "")
    user = USERS.get(claims["sub"])
    if user is None or not isinstance(granted, str):
        raise refused
    missing = [scope for scope in security_scopes.scopes if scope not in granted.split()]
    if missing:
        # 403: the token is good, it just may not do this. RFC 6750 names the error and the
        # scopes a token would need, so a client knows to ask for them.
        challenge = f'Bearer error="insufficient_scope", scope="{security_scopes.scope_str}"'
        detail = f"Missing scope: {' '.join(missing)}"
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail, {"WWW-Authenticate": challenge})
    return Caller(username=user.username, scopes=granted.split())


# One alias per need: the scopes are part of the dependency, and /docs shows them per endpoint.
Reader = Annotated[Caller, Security(get_caller, scopes=["read"])]
Writer = Annotated[Caller, Security(get_caller, scopes=["write"])]
Moderator = Annotated[Caller, Security(get_caller, scopes=["moderate"])]


# --8<-- [end:scopes]


# --8<-- [start:rooms]
class NewMessage(BaseModel):
    text: str = Field(min_length=1, max_length=500)


class Message(BaseModel):
    id: int
    author: str
    text: str


MESSAGES: dict[str, list[Message]] = {"general": [Message(id=1, author="alice", text="Welcome!")]}


def room_messages(room: str) -> list[Message]:
    if room not in MESSAGES:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No room named {room!r}")
    return MESSAGES[room]


@app.get("/users/me")
def read_me(caller: Annotated[Caller, Security(get_caller)]) -> Caller:
    return caller  # any valid token, whatever its scopes


@app.get("/rooms/{room}/messages")
def read_messages(room: str, caller: Reader) -> list[Message]:
    return room_messages(room)


def post(room: str, author: str, text: str) -> Message:
    messages = room_messages(room)
    message = Message(id=max((m.id for m in messages), default=0) + 1, author=author, text=text)
    messages.append(message)
    return message


@app.post("/rooms/{room}/messages", status_code=status.HTTP_201_CREATED)
def post_message(room: str, body: NewMessage, caller: Writer) -> Message:
    return post(room, caller.username, body.text)


@app.delete("/rooms/{room}/messages/{message_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_message(room: str, message_id: int, caller: Moderator) -> None:
    messages = room_messages(room)
    if message_id not in {m.id for m in messages}:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No message {message_id} in {room!r}")
    messages[:] = [m for m in messages if m.id != message_id]


# --8<-- [end:rooms]


# --8<-- [start:basic]
basic = HTTPBasic()


def same(given: str, expected: str) -> bool:
    # compare_digest takes as long for a near miss as for a wild guess, so the response time
    # does not reveal how much of a secret was right. It wants bytes for non-ASCII text.
    return secrets.compare_digest(given.encode(), expected.encode())


def require_operator(
    credentials: Annotated[HTTPBasicCredentials, Depends(basic)], settings: SettingsDep
) -> str:
    # Both compared every time (no `and` short cut), so a wrong name costs what a wrong
    # password costs.
    name_ok = same(credentials.username, settings.admin_username)
    password_ok = same(credentials.password, settings.admin_password.get_secret_value())
    if not (name_ok and password_ok):
        raise unauthorized("Incorrect operator name or password", "Basic")
    return credentials.username


@app.get("/admin/stats")
def read_stats(operator: Annotated[str, Depends(require_operator)]) -> dict[str, int]:
    return {"rooms": len(MESSAGES), "messages": sum(len(m) for m in MESSAGES.values())}


# --8<-- [end:basic]


# --8<-- [start:api_key]
bot_key = APIKeyHeader(name="X-Bot-Key")


def require_bot(key: Annotated[str, Security(bot_key)], settings: SettingsDep) -> None:
    # No header at all is refused by APIKeyHeader itself (401); a wrong key gets the same.
    if not same(key, settings.bot_key.get_secret_value()):
        raise unauthorized("Unknown bot key", "APIKey")


@app.post(
    "/bot/rooms/{room}/announcements",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(require_bot)],
)
def announce(room: str, body: NewMessage) -> Message:
    return post(room, "bot", body.text)


# --8<-- [end:api_key]
