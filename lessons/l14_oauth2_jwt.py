"""Lesson 14 — OAuth2 with JWT

The OAuth2 password flow: `/token` checks a username and password (argon2 hashes through passlib's
`CryptContext`) and answers with a signed JWT (PyJWT: pinned algorithm, required `exp`, `sub` and
`iat`, a secret from a setting); `get_current_user` → `get_current_active_user` turn the bearer
token back into a chat member for `/users/me`, with 401 and `WWW-Authenticate: Bearer` for a bad
token and 403 for a disabled account. An unknown user and a wrong password get the same answer.

Run:  uvicorn lessons.l14_oauth2_jwt:app --reload   (then open http://127.0.0.1:8000/docs)
Test: pytest tests/lessons/test_l14_oauth2_jwt.py
"""

import secrets
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Annotated

import jwt
from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from passlib.context import CryptContext
from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

app = FastAPI(
    title="Lesson 14 — OAuth2 with JWT",
    description="Log in with a password, get a signed token, and use it as a bearer.",
)


# --8<-- [start:settings]
class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHAT_")

    # HS256 wants a key at least as long as its 32-byte hash. Unset, each process draws a random
    # one: tokens then die with the server, which is fine for a lesson and wrong for production.
    secret_key: str = Field(default_factory=lambda: secrets.token_urlsafe(32), min_length=32)
    token_minutes: int = Field(default=30, gt=0)


@lru_cache
def get_settings() -> Settings:
    return Settings()


SettingsDep = Annotated[Settings, Depends(get_settings)]
# --8<-- [end:settings]


# --8<-- [start:passwords]
# argon2 first: new hashes use it; a scheme listed after it would still verify old hashes, and
# deprecated="auto" would mark them for re-hashing.
password_context = CryptContext(schemes=["argon2"], deprecated="auto")


class User(BaseModel):
    username: str
    full_name: str
    disabled: bool = False


class UserInDB(User):
    hashed_password: str


USERS = {
    "alice": UserInDB(  # password: wonderland
        username="alice",
        full_name="Alice Liddell",
        hashed_password="$argon2id$v=19$m=65536,t=3,p=4$s3bOOYcwpnSOkdLaW8s5Bw$"
        "xjmLn/pkhumSgsckiUIrH4bQrfwjGyXxu82L3oumdqA",
    ),
    "dave": UserInDB(  # password: hunter22
        username="dave",
        full_name="Dave Smith",
        disabled=True,
        hashed_password="$argon2id$v=19$m=65536,t=3,p=4$KKV07n0vBUCI0XpP6T2nNA$"
        "1BG34o7X6T3U+V+qng5AwGUSjDV3j59OVvWdTXPC2Bg",
    ),
}
# Hashed once, with the same settings as real hashes, so checking it costs the same.
DUMMY_HASH = password_context.hash("no user has this password")


def authenticate(username: str, password: str) -> UserInDB | None:
    user = USERS.get(username)
    # An unknown user is checked against the dummy hash: both refusals then cost one argon2
    # verify, and the response time does not tell which usernames exist.
    password_ok = password_context.verify(password, user.hashed_password if user else DUMMY_HASH)
    return user if user is not None and password_ok else None


# --8<-- [end:passwords]


# --8<-- [start:tokens]
ALGORITHM = "HS256"


class Token(BaseModel):
    access_token: str
    token_type: str


def create_access_token(username: str, settings: Settings) -> str:
    now = datetime.now(UTC)
    claims = {"sub": username, "iat": now, "exp": now + timedelta(minutes=settings.token_minutes)}
    return jwt.encode(claims, settings.secret_key, algorithm=ALGORITHM)


@app.post("/token")
def login(form: Annotated[OAuth2PasswordRequestForm, Depends()], settings: SettingsDep) -> Token:
    user = authenticate(form.username, form.password)
    if user is None:
        # One message for both cases: do not tell which of the two was wrong.
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Incorrect username or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Token(access_token=create_access_token(user.username, settings), token_type="bearer")


# --8<-- [end:tokens]


# --8<-- [start:current_user]
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")


def get_current_user(
    token: Annotated[str, Depends(oauth2_scheme)], settings: SettingsDep
) -> UserInDB:
    refused = HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        "Could not validate credentials",
        headers={"WWW-Authenticate": "Bearer"},
    )
    try:
        claims = jwt.decode(
            token,
            settings.secret_key,
            algorithms=[ALGORITHM],  # pinned: the token's own "alg" header is not trusted
            options={"require": ["exp", "sub", "iat"]},
        )
    except jwt.InvalidTokenError as e:
        raise refused from e
    user = USERS.get(claims["sub"])
    if user is None:  # a valid token for an account that is gone
        raise refused
    return user


def get_current_active_user(user: Annotated[UserInDB, Depends(get_current_user)]) -> UserInDB:
    if user.disabled:
        # 403, not 401: we know who this is, and logging in again would not help.
        raise HTTPException(status.HTTP_403_FORBIDDEN, "This account is disabled")
    return user


CurrentUser = Annotated[UserInDB, Depends(get_current_active_user)]


@app.get("/users/me")
def read_me(user: CurrentUser) -> User:
    # The return annotation is the response model: hashed_password is left out.
    return user


@app.get("/users/me/rooms")
def read_my_rooms(user: CurrentUser) -> list[str]:
    return ["general", "wonderland"] if user.username == "alice" else ["general"]


# --8<-- [end:current_user]
