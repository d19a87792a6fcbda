"""Lesson 03 — Path operation configuration

The decorator's own arguments, and what each one changes in the OpenAPI document that `/docs`
draws: `status_code`, `tags` (also from an Enum), `summary`, `description`, a docstring as the
description cut at `\\f`, `response_description`, `operation_id`, `deprecated`, and
`include_in_schema=False` for an endpoint that works but is not documented.

Run:  uvicorn lessons.l03_path_operation_config:app --reload   (then open http://127.0.0.1:8000/docs)
Test: pytest tests/lessons/test_l03_path_operation_config.py
"""

from enum import StrEnum
from typing import Annotated

from fastapi import FastAPI, status
from pydantic import BaseModel, Field

app = FastAPI(
    title="Lesson 03 — Path operation configuration",
    description="The chat's room and message endpoints, each one described for its readers.",
)

MEMBERS = {1: ["alice", "bob", "chen"], 2: ["dana"]}
MESSAGES = {1: ["hello", "hi alice"], 2: []}


class Room(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=40)]
    topic: str | None = None


class NewMessage(BaseModel):
    text: Annotated[str, Field(min_length=1, max_length=500)]
    reply_to: int | None = None


class Message(NewMessage):
    room_id: int


# --8<-- [start:status]
@app.post("/rooms", status_code=status.HTTP_201_CREATED, tags=["rooms"])
def create_room(room: Room) -> Room:
    # 201 Created is what a client expects after a POST that makes something;
    # `status.HTTP_201_CREATED` is the same 201, with a name an editor can complete.
    return room


@app.delete(
    "/rooms/{room_id}/messages/{index}", status_code=status.HTTP_204_NO_CONTENT, tags=["messages"]
)
def delete_message(room_id: int, index: int) -> None:
    # 204 means "done, nothing to say": FastAPI sends no body at all.
    return None


# --8<-- [end:status]


# --8<-- [start:tags]
class Tags(StrEnum):
    # One spelling for every tag: a typo becomes an AttributeError, not a new group in /docs.
    rooms = "rooms"
    messages = "messages"


@app.get(
    "/rooms/{room_id}/messages",
    tags=[Tags.messages],
    summary="List a room's messages",
    description="The room's messages, oldest first. An unknown room has no messages.",
)
def list_messages(room_id: int) -> list[str]:
    return MESSAGES.get(room_id, [])


# --8<-- [end:tags]


# --8<-- [start:docstring]
@app.post(
    "/rooms/{room_id}/messages",
    status_code=status.HTTP_201_CREATED,
    tags=[Tags.messages],
    summary="Post a message",
    response_description="The message as the room will show it",
)
def post_message(room_id: int, message: NewMessage) -> Message:
    """
    Post a message to a room. The description is Markdown:

    - **text**: 1 to 500 characters
    - **reply_to**: the index of the message this one answers, if any
    \f
    Below the form feed: for the code's readers only, never in /docs.
    """
    return Message(room_id=room_id, **message.model_dump())


# --8<-- [end:docstring]


# --8<-- [start:more]
@app.get(
    "/rooms/{room_id}/members",
    tags=[Tags.rooms],
    operation_id="listRoomMembers",
    response_description="The members' names, in joining order",
)
def list_members(room_id: int) -> list[str]:
    # The operation id names the function a client generator writes: listRoomMembers()
    # rather than the default list_members_rooms__room_id__members_get().
    return MEMBERS.get(room_id, [])


@app.get("/rooms/{room_id}/users", tags=[Tags.rooms], deprecated=True)
def list_users(room_id: int) -> list[str]:
    """The old name of the members list. Use `GET /rooms/{room_id}/members`."""
    # Deprecated still works: it is a warning to readers, not a switch.
    return MEMBERS.get(room_id, [])


@app.get("/health", include_in_schema=False)
def health() -> dict[str, str]:
    # For the load balancer, not for API users: it answers, but /docs does not list it.
    return {"status": "ok"}


# --8<-- [end:more]
