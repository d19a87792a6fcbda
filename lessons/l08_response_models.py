"""Lesson 08 — Response models and custom responses

What an endpoint sends back: a response model that drops the password a client sent, a list
response, `response_model_exclude_unset` beside the defaults, `include` and `exclude`, 200 on update
and 201 on create with `JSONResponse` and `jsonable_encoder`, and custom responses, each with its
media type: an XML transcript of a room, `HTMLResponse`, `PlainTextResponse`, `RedirectResponse`,
`StreamingResponse` and a `FileResponse` from a directory given by a dependency.

Run:  uvicorn lessons.l08_response_models:app --reload   (then open http://127.0.0.1:8000/docs)
Test: pytest tests/lessons/test_l08_response_models.py
"""

import hashlib
import html
import json
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path as FilePath
from typing import Annotated, Any
from xml.sax.saxutils import escape, quoteattr

from fastapi import Depends, FastAPI, HTTPException, Path, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from pydantic import BaseModel, Field

app = FastAPI(
    title="Lesson 08 — Response models and custom responses",
    description="Members, room settings and room transcripts in several formats.",
)


# --8<-- [start:users]
class UserBase(BaseModel):
    username: str
    full_name: str | None = None


class UserIn(UserBase):
    password: str = Field(min_length=8)


class UserInDB(UserBase):
    password_hash: str


USERS: dict[str, UserInDB] = {}


@app.exception_handler(RequestValidationError)
def validation_error_without_inputs(request: Request, exc: RequestValidationError) -> JSONResponse:
    # FastAPI's 422 echoes each bad `input`: for POST /users that is the password (a
    # missing username echoes the whole body). This app leaves `input` out. Lesson 11
    # has more on handlers.
    errors = [{k: v for k, v in error.items() if k != "input"} for error in exc.errors()]
    return JSONResponse(status_code=422, content={"detail": jsonable_encoder(errors)})


@app.post("/users", status_code=201)
def create_user(user: UserIn) -> UserBase:
    # Not a real password hash (lesson 14 has one); it stands for "what the server keeps".
    digest = hashlib.sha256(user.password.encode()).hexdigest()
    stored = UserInDB(**user.model_dump(exclude={"password"}), password_hash=digest)
    USERS[user.username] = stored
    # The return annotation is the response model: only UserBase's fields go out.
    return stored


@app.get("/users", response_model=list[UserBase])
def list_users() -> Any:
    return list(USERS.values())


# --8<-- [end:users]


# --8<-- [start:settings]
class RoomSettings(BaseModel):
    name: str
    topic: str | None = None
    slow_mode_seconds: int = 0
    tags: list[str] = []


ROOMS: dict[str, dict[str, Any]] = {
    "general": {"name": "general"},
    "python": {"name": "python", "topic": "All things Python", "slow_mode_seconds": 5},
    "quiet": {"name": "quiet", "topic": None, "slow_mode_seconds": 0, "tags": []},
}
RoomName = Annotated[str, Path(pattern=r"^[a-z0-9-]{1,30}$")]


def find_room(room: RoomName) -> dict[str, Any]:
    if room not in ROOMS:
        raise HTTPException(status_code=404, detail="Room not found")
    return ROOMS[room]


RoomDep = Annotated[dict[str, Any], Depends(find_room)]


@app.get("/rooms/{room}/settings")
def read_settings(found: RoomDep) -> RoomSettings:
    return RoomSettings(**found)


@app.get("/rooms/{room}/settings/set", response_model_exclude_unset=True)
def read_settings_set(found: RoomDep) -> RoomSettings:
    # Only the fields that were given a value, even one equal to the default.
    return RoomSettings(**found)


@app.get("/rooms/{room}/summary", response_model_include={"name", "topic"})
def read_summary(found: RoomDep) -> RoomSettings:
    return RoomSettings(**found)


@app.get("/rooms/{room}/public", response_model_exclude={"slow_mode_seconds"})
def read_public(found: RoomDep) -> RoomSettings:
    return RoomSettings(**found)


# --8<-- [end:settings]


# --8<-- [start:upsert]
class TopicChange(BaseModel):
    topic: str
    changed_at: datetime


class Room(RoomSettings):
    changed_at: datetime | None = None


@app.put(
    "/rooms/{room}/topic",
    response_model=Room,
    responses={201: {"model": Room, "description": "Room created"}},
)
def put_topic(room: RoomName, change: TopicChange) -> Any:
    if room in ROOMS:
        ROOMS[room].update(change.model_dump())
        return Room(**ROOMS[room])
    ROOMS[room] = {"name": room, **change.model_dump()}
    # A Response returned as is skips the response model, so its content must
    # already be JSON-ready: jsonable_encoder turns the datetime into a string.
    return JSONResponse(status_code=201, content=jsonable_encoder(Room(**ROOMS[room])))


# --8<-- [end:upsert]


# --8<-- [start:custom]
class Message(BaseModel):
    sender: str = Field(pattern=r"^[a-z0-9_]{1,20}$")
    text: str = Field(min_length=1, max_length=500)


MESSAGES: dict[str, list[Message]] = {"general": [Message(sender="alice", text="Hello!")]}


@app.post("/rooms/{room}/messages", status_code=201)
def post_message(room: RoomName, found: RoomDep, message: Message) -> Message:
    MESSAGES.setdefault(room, []).append(message)
    return message


QUOTES = {'"': "&quot;", "'": "&apos;"}


def transcript_lines(room: str) -> list[str]:
    return [f"{message.sender}: {message.text}" for message in MESSAGES.get(room, [])]


@app.get(
    "/rooms/{room}/transcript.xml",
    response_class=Response,
    responses={200: {"content": {"application/xml": {}}, "description": "The room as XML"}},
)
def transcript_xml(room: RoomName, found: RoomDep) -> Response:
    # Message text is whatever members typed: escape it, or "<" and "&" break the XML
    # (or inject elements). quoteattr also escapes the quotes around an attribute.
    items = "".join(
        f"<message sender={quoteattr(m.sender)}>{escape(m.text, QUOTES)}</message>"
        for m in MESSAGES.get(room, [])
    )
    xml = f"<transcript room={quoteattr(room)}>{items}</transcript>"
    declaration = '<?xml version="1.0" encoding="UTF-8"?>\n'
    return Response(content=declaration + xml, media_type="application/xml")


@app.get("/rooms/{room}/card", response_class=HTMLResponse)
def room_card(found: RoomDep) -> str:
    topic = html.escape(found.get("topic") or "no topic")
    return f"<!doctype html><h1>#{html.escape(found['name'])}</h1><p>{topic}</p>"


@app.get("/rooms/{room}/transcript.txt", response_class=PlainTextResponse)
def transcript_text(room: RoomName, found: RoomDep) -> str:
    return "\n".join(transcript_lines(room)) + "\n"


@app.get("/go/{room}", response_class=RedirectResponse, status_code=307)
def go_to_room(room: RoomName, found: RoomDep, request: Request) -> str:
    # A short link to the room's card, found by the route's name. root_path is the
    # prefix this app is mounted under ("/lessons/08" in the course home, else "").
    return request.scope.get("root_path", "") + app.url_path_for("room_card", room=room)


@app.get("/rooms/{room}/export.jsonl", response_class=StreamingResponse)
def export_jsonl(room: RoomName, found: RoomDep) -> StreamingResponse:
    def lines() -> Iterator[str]:
        # One JSON document per line, sent as it is produced rather than built whole.
        for message in MESSAGES.get(room, []):
            yield json.dumps(message.model_dump()) + "\n"

    return StreamingResponse(lines(), media_type="application/x-ndjson")


def get_export_dir() -> FilePath:
    # Where exports are written: a dependency, so tests point it at tmp_path.
    directory = FilePath(tempfile.gettempdir()) / "chat-course-l08-exports"
    directory.mkdir(exist_ok=True)
    return directory


@app.get("/rooms/{room}/export.txt", response_class=FileResponse)
def export_file(
    room: RoomName, found: RoomDep, export_dir: Annotated[FilePath, Depends(get_export_dir)]
) -> FileResponse:
    path = export_dir / f"{room}-transcript.txt"
    path.write_text("\n".join(transcript_lines(room)) + "\n", encoding="utf-8")
    return FileResponse(path, media_type="text/plain", filename=f"{room}-transcript.txt")


# --8<-- [end:custom]
