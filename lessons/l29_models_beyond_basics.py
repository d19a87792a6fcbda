"""Lesson 29 — Models beyond the basics

The shapes a chat's data takes, past one model per endpoint. Several models for one user (what
comes in, what is stored, what goes out) without repeating fields; a response that is one of two
models; a dataclass as a body and a response; an attachment that is an image or a link, told
apart by its `kind` (a discriminated union); a validator that runs after the type check; bytes
in JSON as base64; a query parameter left out of the docs; and JSON bodies that must say they are
JSON, except on a router kept for old clients.

Run:  uvicorn lessons.l29_models_beyond_basics:app --reload   (then open http://127.0.0.1:8000/docs)
Test: pytest tests/lessons/test_l29_models_beyond_basics.py
"""

import hashlib
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, FastAPI, HTTPException, Query, status
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, HttpUrl

app = FastAPI(
    title="Lesson 29 — Models beyond the basics",
    description="Extra models, unions, dataclasses, validators, base64 bytes, content types.",
)


# --8<-- [start:extra_models]
def lowercase_name(name: str) -> str:
    # Runs after the type and length checks: `name` is a str of 3 to 20 characters here.
    if not name.isalnum():
        raise ValueError("only letters and digits")
    return name.lower()


Username = Annotated[str, Field(min_length=3, max_length=20), AfterValidator(lowercase_name)]


class UserBase(BaseModel):
    username: Username
    display_name: str = Field(default="", max_length=50)


class UserIn(UserBase):  # what a sign-up sends
    password: str = Field(min_length=8)


class UserOut(UserBase):  # what anyone may see
    pass


class UserInDB(UserBase):  # what is stored: a hash, never the password
    hashed_password: str


class Bot(BaseModel):
    username: Username
    owner: str


USERS: dict[str, UserInDB | Bot] = {"relay": Bot(username="relay", owner="alice")}


@app.post("/users", status_code=status.HTTP_201_CREATED)
def sign_up(user: UserIn) -> UserOut:
    if user.username in USERS:
        raise HTTPException(status.HTTP_409_CONFLICT, f"{user.username} is taken")
    # A stand-in that only shows a hash is kept: real ones are slow and salted (lesson 14).
    hashed = hashlib.sha256(user.password.encode()).hexdigest()
    stored = UserInDB(**user.model_dump(exclude={"password"}), hashed_password=hashed)
    USERS[stored.username] = stored
    return UserOut(**stored.model_dump())


@app.get("/users/{username}")
def read_user(username: str) -> UserOut | Bot:  # one of two models: the docs show `anyOf`
    user = USERS.get(username.lower())
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No user {username!r}")
    return UserOut(**user.model_dump()) if isinstance(user, UserInDB) else user


@app.get("/users")
def count_users() -> dict[str, int]:  # a plain dict answer: keys and values are typed
    bots = sum(isinstance(user, Bot) for user in USERS.values())
    return {"people": len(USERS) - bots, "bots": bots}


# --8<-- [end:extra_models]


# --8<-- [start:dataclass]
@dataclass
class Reaction:
    emoji: str
    count: int = 1


@app.post("/messages/{message_id}/reactions")
def react(message_id: int, reaction: Reaction) -> Reaction:
    # A standard-library dataclass works as a body and as a response, validated like a model.
    return Reaction(emoji=reaction.emoji, count=reaction.count + 1)


# --8<-- [end:dataclass]


# --8<-- [start:union]
class Image(BaseModel):
    kind: Literal["image"]
    url: HttpUrl
    width: int = Field(gt=0, le=10_000)


class Link(BaseModel):
    kind: Literal["link"]
    url: HttpUrl
    title: str = Field(default="", max_length=200)


# `kind` says which model to use: one is tried, not both, and an error names the right one.
Attachment = Annotated[Image | Link, Field(discriminator="kind")]


class NewMessage(BaseModel):
    text: str = Field(min_length=1, max_length=500)
    attachments: list[Attachment] = Field(default=[], max_length=4)


@app.post("/rooms/{room}/messages", status_code=status.HTTP_201_CREATED)
def post_message(room: str, message: NewMessage) -> NewMessage:
    return message


# --8<-- [end:union]


# --8<-- [start:base64]
class Sticker(BaseModel):
    # In JSON, bytes travel as base64 text: read in (val) in either alphabet, written out (ser)
    # in the URL-safe one, with - and _ where standard base64 has + and /.
    model_config = ConfigDict(val_json_bytes="base64", ser_json_bytes="base64")

    name: str = Field(max_length=30)
    image: bytes = Field(max_length=64 * 1024)


@app.post("/stickers")
def upload_sticker(
    sticker: Sticker, trace: Annotated[bool, Query(include_in_schema=False)] = False
) -> Sticker:
    # `trace` works, but the docs and the OpenAPI document do not offer it.
    if trace:
        return Sticker(name=f"{sticker.name} ({len(sticker.image)} bytes)", image=sticker.image)
    return sticker


# --8<-- [end:base64]


# --8<-- [start:content_type]
# FastAPI reads a body as JSON only when its Content-Type says JSON. A router kept for an old
# client that sends none relaxes that, and nothing else.
old_clients = APIRouter(prefix="/v0", tags=["old clients"], strict_content_type=False)


@old_clients.post("/rooms/{room}/messages", status_code=status.HTTP_201_CREATED)
def post_message_v0(room: str, message: NewMessage) -> NewMessage:
    return message


app.include_router(old_clients)
# --8<-- [end:content_type]
