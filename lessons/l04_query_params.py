"""Lesson 04 — Query parameters

Everything after the `?`: defaults and pagination (`skip`, `limit`), required and optional
parameters, `bool` conversion of yes/no/on/off/1/0, `Query()` validation (`min_length`,
`max_length`, `pattern`, `alias`, `deprecated`, `title`, `description`), a list read from a repeated
parameter (`?tag=a&tag=b`), and a query-parameter model with `extra="forbid"`, a `Literal` order and
a bounded `limit`.

Run:  uvicorn lessons.l04_query_params:app --reload   (then open http://127.0.0.1:8000/docs)
Test: pytest tests/lessons/test_l04_query_params.py
"""

from typing import Annotated, Literal

from fastapi import FastAPI, Query
from pydantic import BaseModel, ConfigDict, Field

app = FastAPI(
    title="Lesson 04 — Query parameters",
    description="Listing, searching and paging the chat's rooms and messages.",
)

ROOM_TAGS = {
    "general": ["chat"],
    "python": ["code", "help"],
    "help": ["help"],
    "music": ["fun"],
    "games": ["fun", "chat"],
    "jobs": ["work"],
}
ROOMS = list(ROOM_TAGS)
MESSAGES = [
    {"sender": "alice", "text": "Hello everyone"},
    {"sender": "bob", "text": "hello alice, welcome"},
    {"sender": "chen", "text": "Has anyone seen the new release?"},
    {"sender": "alice", "text": "The release notes say hello too"},
]
# Room 1's history: 30 messages, seq 1 to 30, from three members in turn.
HISTORY = [{"seq": n, "sender": ("alice", "bob", "chen")[n % 3]} for n in range(1, 31)]


# --8<-- [start:defaults]
@app.get("/rooms")
def list_rooms(skip: int = 0, limit: int = 3) -> list[str]:
    # Not in the path, so a query parameter: /rooms?skip=3&limit=2.
    # The defaults make both optional and page through the rooms.
    return ROOMS[skip : skip + limit]


@app.get("/rooms/{room_id}/mentions")
def read_mentions(
    room_id: int, username: str, since: int | None = None, unread_only: bool = False
) -> dict[str, int | str | bool | None]:
    # `username` has no default: required. `since` defaults to None: optional.
    # `unread_only` is a bool: "true", "1", "yes", "on" (any case) all mean True.
    return {"room_id": room_id, "username": username, "since": since, "unread_only": unread_only}


# --8<-- [end:defaults]


# --8<-- [start:query]
@app.get("/messages/search")
def search_messages(
    q: Annotated[
        str,
        Query(
            min_length=3,
            max_length=50,
            title="Search text",
            description="Words to find in the text of messages, any case",
        ),
    ],
    sender: Annotated[
        str | None,
        # `from` is what clients send, and a Python keyword: the alias maps one to the other.
        Query(alias="from", pattern=r"^[a-z][a-z0-9_]{2,15}$", description="Only this member"),
    ] = None,
    author: Annotated[str | None, Query(deprecated=True, description="Old name of `from`")] = None,
) -> list[dict[str, str]]:
    wanted = sender or author
    return [
        message
        for message in MESSAGES
        if q.lower() in message["text"].lower() and wanted in (None, message["sender"])
    ]


# --8<-- [end:query]


# --8<-- [start:list]
@app.get("/rooms/by-tag")
def rooms_by_tag(
    tag: Annotated[list[str] | None, Query(description="Repeat it: ?tag=fun&tag=help")] = None,
) -> list[str]:
    # A list needs `Query()`: without it, FastAPI would look for the list in the body.
    if not tag:
        return ROOMS
    return [room for room, tags in ROOM_TAGS.items() if set(tags) & set(tag)]


# --8<-- [end:list]


# --8<-- [start:model]
class HistoryParams(BaseModel):
    # A typo such as ?limt=5 is an error, not a silently ignored parameter.
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(10, gt=0, le=100)
    before: int | None = Field(None, gt=0, description="Only messages with a lower seq")
    order_by: Literal["newest", "oldest"] = "newest"
    sender: list[str] = []


@app.get("/rooms/{room_id}/history")
def read_history(
    room_id: int, params: Annotated[HistoryParams, Query()]
) -> list[dict[str, int | str]]:
    found = [
        message
        for message in (HISTORY if room_id == 1 else [])
        if (params.before is None or int(message["seq"]) < params.before)
        and (not params.sender or message["sender"] in params.sender)
    ]
    if params.order_by == "newest":
        found.reverse()
    return found[: params.limit]


# --8<-- [end:model]
