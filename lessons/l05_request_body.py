"""Lesson 05 — Request body

JSON bodies read into Pydantic models: a message posted with path, query and body together, an
optional body, several body parameters and a single value with `Body()` (and how they change the
JSON a client sends), `Body(embed=True)`, nested models (`list[str]`, a de-duplicating `set[str]`, a
sub-model, a list of sub-models) and a `dict[str, int]` body; and why a JSON body needs a JSON
`Content-Type`.

Run:  uvicorn lessons.l05_request_body:app --reload   (then open http://127.0.0.1:8000/docs)
Test: pytest tests/lessons/test_l05_request_body.py
"""

from typing import Annotated, Any

from fastapi import Body, FastAPI, Path
from pydantic import BaseModel, Field, HttpUrl

app = FastAPI(
    title="Lesson 05 — Request body",
    description="Posting messages, drafts, rooms and reactions as JSON bodies.",
)


# --8<-- [start:model]
class Message(BaseModel):
    text: str = Field(min_length=1, max_length=500)
    reply_to: int | None = None


@app.post("/rooms/{room_id}/messages", status_code=201)
def post_message(
    room_id: Annotated[int, Path(ge=1)], message: Message, notify: bool = True
) -> dict[str, Any]:
    # FastAPI sorts the parameters by kind: `room_id` is in the path, `notify` is a
    # plain type so it comes from the query, and `message`, a model, is the body.
    return {"room_id": room_id, "notify": notify, "message": message}


@app.put("/rooms/{room_id}/draft")
def save_draft(room_id: int, draft: Message | None = None) -> dict[str, Any]:
    # The default makes the body optional: no body at all clears the draft.
    return {"room_id": room_id, "draft": draft, "cleared": draft is None}


# --8<-- [end:model]


# --8<-- [start:several]
class NewRoom(BaseModel):
    name: str
    topic: str | None = None


class Member(BaseModel):
    username: str
    display_name: str | None = None


@app.post("/rooms", status_code=201)
def create_room(
    room: NewRoom,
    owner: Member,
    max_members: Annotated[int, Body(gt=1, le=1000)] = 100,
) -> dict[str, Any]:
    # Two models (and a single value marked `Body()`) cannot all be the whole body,
    # so each one becomes a key of it: {"room": {...}, "owner": {...}, "max_members": 50}.
    return {"room": room, "owner": owner, "max_members": max_members}


@app.put("/messages/{seq}")
def edit_message(seq: int, message: Annotated[Message, Body(embed=True)]) -> dict[str, Any]:
    # Alone, `message` would be the whole body; `embed=True` asks for {"message": {...}}.
    return {"seq": seq, "message": message}


# --8<-- [end:several]


# --8<-- [start:nested]
class Attachment(BaseModel):
    url: HttpUrl
    name: str


class RichMessage(BaseModel):
    text: str
    mentions: list[str] = []  # order and repeats kept
    tags: set[str] = set()  # repeats dropped
    preview: Attachment | None = None  # a sub-model
    attachments: list[Attachment] = []  # a list of sub-models


@app.post("/rooms/{room_id}/rich-messages")
def post_rich_message(room_id: int, message: RichMessage) -> dict[str, Any]:
    # A set has no order; sorting it makes the answer the same on every run.
    return {
        "room_id": room_id,
        "mentions": message.mentions,
        "tags": sorted(message.tags),
        "preview": message.preview,
        "attachment_names": [attachment.name for attachment in message.attachments],
    }


@app.post("/messages/{seq}/reactions")
def add_reactions(seq: int, counts: dict[str, int]) -> dict[str, Any]:
    # A body need not be a model: any JSON object whose values are integers will do.
    return {"seq": seq, "counts": counts, "total": sum(counts.values())}


# --8<-- [end:nested]
