"""Lesson 25 — Controlling the response

The return value is the body, and the rest of the response is yours to shape too. The `Response`
parameter sets the status code, headers and cookies while the return value is still checked by
its model: a create-or-update `PUT` answers 201 or 200. `responses=` documents the other answers an
endpoint gives, with their models, in one dictionary shared by several endpoints. A custom
response class renders a room's messages as CSV, and `default_response_class` makes a whole router
answer in plain text.

Run:  uvicorn lessons.l25_response_control:app --reload   (then open http://127.0.0.1:8000/docs)
Test: pytest tests/lessons/test_l25_response_control.py
"""

import csv
import hashlib
import io
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, HTTPException, Path, Response, status
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

app = FastAPI(
    title="Lesson 25 — Controlling the response",
    description="Status codes, headers and cookies from an endpoint; documented answers; CSV.",
)


class Message(BaseModel):
    id: int
    author: str
    text: str


class RoomIn(BaseModel):
    topic: str = Field(max_length=200)


class Room(BaseModel):
    name: str
    topic: str
    messages: int  # how many


ROOMS: dict[str, tuple[str, list[Message]]] = {
    "general": (
        "Anything goes",
        [
            Message(id=1, author="alice", text="Hello, everyone!"),
            Message(id=2, author="bob", text="Hi alice, how are you?"),
        ],
    ),
}
RoomName = Annotated[str, Path(pattern=r"^[a-z0-9-]{1,30}$")]


# --8<-- [start:responses]
class Problem(BaseModel):
    detail: str


# One dictionary of documented answers, shared by every endpoint that looks a room up. The
# keys are status codes; "model" gives the body's schema in the OpenAPI document.
NO_ROOM: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "There is no room by that name."}
}


# Where the endpoint's own response class is not JSON, a "model" would be documented under
# that class's media type (text/csv), though the 404 is JSON: say so in full instead.
NO_ROOM_AS_JSON: dict[int | str, dict[str, Any]] = {
    404: {
        "description": NO_ROOM[404]["description"],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
}


def find_room(name: str) -> tuple[str, list[Message]]:
    if name not in ROOMS:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No room named {name!r}")
    return ROOMS[name]


# --8<-- [end:responses]


# --8<-- [start:response_parameter]
@app.put(
    "/rooms/{name}",
    responses={201: {"model": Room, "description": "The room was created."}},
)
def put_room(name: RoomName, room: RoomIn, response: Response) -> Room:
    # The decorator's status code stays 200 (an update); this one request is a creation.
    if name not in ROOMS:
        response.status_code = status.HTTP_201_CREATED
        response.headers["Location"] = app.url_path_for("get_room", name=name)
        ROOMS[name] = (room.topic, [])
    else:
        ROOMS[name] = (room.topic, ROOMS[name][1])
    return Room(name=name, topic=room.topic, messages=len(ROOMS[name][1]))


@app.get("/rooms/{name}", responses=NO_ROOM)
def get_room(name: RoomName, response: Response) -> Room:
    topic, messages = find_room(name)
    room = Room(name=name, topic=topic, messages=len(messages))
    # Headers set here are merged into the response FastAPI builds from the return value.
    version = hashlib.sha256(room.model_dump_json().encode()).hexdigest()[:16]
    response.headers["ETag"] = f'"{version}"'
    response.headers["Cache-Control"] = "no-cache"
    return room


@app.post("/rooms/{name}/open", responses=NO_ROOM)
def open_room(name: RoomName, response: Response) -> dict[str, str]:
    find_room(name)
    # The page opens this room first next time. A cookie set on the Response parameter.
    response.set_cookie("last_room", name, max_age=30 * 24 * 3600, httponly=True, samesite="lax")
    return {"opened": name}


# --8<-- [end:response_parameter]


# --8<-- [start:custom_class]
class CSVResponse(Response):
    """Rows (a list of objects with the same keys) as CSV, with a header line."""

    media_type = "text/csv"

    def render(self, content: Any) -> bytes:
        # `content` is what the endpoint returned, already through its response model and
        # made JSON-ready: here a list of dicts.
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(Message.model_fields))
        writer.writeheader()
        writer.writerows({key: cell(value) for key, value in row.items()} for row in content)
        return out.getvalue().encode()


def cell(value: object) -> str:
    # A spreadsheet runs a cell that starts with = + - or @ as a formula: anyone who can post
    # a message could make it run theirs. A leading ' makes it plain text.
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


@app.get("/rooms/{name}/messages.csv", response_class=CSVResponse, responses=NO_ROOM_AS_JSON)
def export_messages(name: RoomName, response: Response) -> list[Message]:
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return find_room(name)[1]


# --8<-- [end:custom_class]


# --8<-- [start:default_class]
# Every endpoint of this router answers text/plain unless it says otherwise.
text = APIRouter(prefix="/text", tags=["text"], default_response_class=PlainTextResponse)


@text.get("/rooms/{name}", responses=NO_ROOM_AS_JSON)
def transcript(name: RoomName) -> str:
    return "".join(f"{m.author}: {m.text}\n" for m in find_room(name)[1])


app.include_router(text)
# --8<-- [end:default_class]
