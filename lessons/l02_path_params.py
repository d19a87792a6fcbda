"""Lesson 02 — Path parameters

Values taken from the URL path: a parameter without a type arrives as text, a declared `int` is
converted (and a bad one answers 422), `{file_path:path}` captures slashes, an `Enum` limits a
parameter to the room kinds, `Path()` adds bounds and a title, and route order decides whether
`/users/me` or `/users/{username}` answers.

Run:  uvicorn lessons.l02_path_params:app --reload   (then open http://127.0.0.1:8000/docs)
Test: pytest tests/lessons/test_l02_path_params.py
"""

from enum import StrEnum
from typing import Annotated

from fastapi import FastAPI, Path

app = FastAPI(
    title="Lesson 02 — Path parameters",
    description="Rooms, messages and members, addressed by the path.",
)


# --8<-- [start:types]
@app.get("/nicknames/{nickname}")
def read_nickname(nickname) -> dict[str, str]:
    # No annotation: FastAPI has nothing to convert to, so the value stays text.
    return {"nickname": nickname, "type": type(nickname).__name__}


@app.get("/messages/{message_id}")
def read_message(message_id: int) -> dict[str, int | str]:
    # `int` is a promise: "42" arrives as 42, and "abc" never reaches this line (422).
    return {"message_id": message_id, "type": type(message_id).__name__}


# --8<-- [end:types]


# --8<-- [start:path]
@app.get("/attachments/{file_path:path}")
def read_attachment(file_path: str) -> dict[str, str | list[str]]:
    # `:path` lets the parameter span slashes. The value comes from the client:
    # never join it onto a directory without checking it first.
    return {"file_path": file_path, "parts": file_path.split("/")}


# --8<-- [end:path]


# --8<-- [start:enum]
class RoomKind(StrEnum):
    # A StrEnum member is also a string: JSON-ready as it is, and the OpenAPI
    # schema lists the allowed values (before Python 3.11: `class RoomKind(str, Enum)`).
    public = "public"
    private = "private"
    direct = "direct"


@app.get("/room-kinds/{kind}")
def describe_kind(kind: RoomKind) -> dict[str, str]:
    if kind is RoomKind.public:  # compare with the member...
        return {"kind": kind, "rule": "anyone can join"}
    if kind.value == "private":  # ...or with its value
        return {"kind": kind, "rule": "members join by invitation"}
    return {"kind": kind, "rule": "two members, no more"}


# --8<-- [end:enum]


# --8<-- [start:numbers]
@app.get("/rooms/{room_id}/history/{page}")
def read_history_page(
    room_id: Annotated[int, Path(title="The room's id", gt=0, le=10_000)],
    page: Annotated[int, Path(title="Page of history", ge=1, lt=100)],
) -> dict[str, int]:
    # The bounds are checked before the function runs and written into the schema.
    return {"room_id": room_id, "page": page}


# --8<-- [end:numbers]


# --8<-- [start:order]
@app.get("/users/me")
def read_current_user() -> dict[str, str]:
    # Declared first, so it wins: "/users/me" also matches "/users/{username}".
    return {"username": "you", "note": "the signed-in user"}


@app.get("/users/{username}")
def read_user(username: str) -> dict[str, str]:
    return {"username": username, "note": "another member"}


# Kept in the wrong order on purpose: "/members/me" is matched by the first
# route, and "me" is not an int, so it answers 422 and the second route never runs.
@app.get("/members/{member_id}")
def read_member(member_id: int) -> dict[str, int]:
    return {"member_id": member_id}


@app.get("/members/me")
def read_current_member() -> dict[str, str]:  # unreachable
    return {"member": "me"}


# --8<-- [end:order]
