"""Lesson 23 — Streaming and server-sent events

A room's history sent as it is produced instead of all at once: a plain-text transcript with
`StreamingResponse`, an export in JSON Lines (`application/x-ndjson` by hand, `application/jsonl`
from a FastAPI generator endpoint), and a live feed of new messages as server-sent events with
FastAPI's `EventSourceResponse` and `ServerSentEvent`, resumable with `Last-Event-ID`.

Run:  uvicorn lessons.l23_streaming_and_sse:app --reload   (then open http://127.0.0.1:8000/docs)
Test: pytest tests/lessons/test_l23_streaming_and_sse.py
"""

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Header
from fastapi.responses import StreamingResponse
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel, Field
from starlette.requests import HTTPConnection


# --8<-- [start:feed]
class NewMessage(BaseModel):
    author: Annotated[str, Field(min_length=1, max_length=40)]
    text: Annotated[str, Field(min_length=1, max_length=500)]


class Message(NewMessage):
    id: int
    room: str


class Feed:
    """Every message, and a queue per listener: one per process, made by the lifespan."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.listeners: set[asyncio.Queue[Message]] = set()

    def history(self, room: str, after: int = 0) -> list[Message]:
        return [m for m in self.messages if m.room == room and m.id > after]

    def publish(self, room: str, new: NewMessage) -> Message:
        message = Message(id=len(self.messages) + 1, room=room, **new.model_dump())
        self.messages.append(message)
        for queue in self.listeners:
            queue.put_nowait(message)
        return message


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.feed = feed = Feed()
    for author, text in [("ada", "hello"), ("linus", "hi ada"), ("ada", "how are you?")]:
        feed.publish("general", NewMessage(author=author, text=text))
    try:
        yield
    finally:
        del app.state.feed


app = FastAPI(
    title="Lesson 23 — Streaming and server-sent events",
    description="A room's messages streamed as text, JSON Lines and server-sent events.",
    lifespan=lifespan,
)


def get_feed(connection: HTTPConnection) -> Feed:
    return connection.app.state.feed


FeedDep = Annotated[Feed, Depends(get_feed)]


@app.post("/rooms/{room}/messages", status_code=201)
async def post_message(room: str, new: NewMessage, feed: FeedDep) -> Message:
    # `async def` although nothing is awaited: a `def` endpoint runs in a worker thread, and an
    # asyncio.Queue must only be touched from the event loop's thread.
    return feed.publish(room, new)


# --8<-- [end:feed]


# --8<-- [start:streaming]
# Without `responses`, the docs would not know what a hand-made stream contains.
@app.get(
    "/rooms/{room}/transcript",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/plain": {}}}},
)
def transcript(room: str, feed: FeedDep) -> StreamingResponse:
    def lines() -> Iterator[str]:
        # A generator: each line is sent as soon as it is made, the whole text never held at once.
        for message in feed.history(room):
            yield f"{message.author}: {message.text}\n"

    return StreamingResponse(lines(), media_type="text/plain; charset=utf-8")


@app.get(
    "/rooms/{room}/export.ndjson",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}}}},
)
def export_ndjson(room: str, feed: FeedDep) -> StreamingResponse:
    def records() -> Iterator[str]:
        for message in feed.history(room):
            yield json.dumps(message.model_dump()) + "\n"  # one JSON document per line

    return StreamingResponse(records(), media_type="application/x-ndjson")


@app.get("/rooms/{room}/export.jsonl")
def export_jsonl(room: str, feed: FeedDep) -> Iterator[Message]:
    # FastAPI's own JSON Lines: a generator endpoint, each item validated as a Message.
    yield from feed.history(room)


# --8<-- [end:streaming]


# --8<-- [start:sse]
@app.get("/rooms/{room}/events", response_class=EventSourceResponse)
async def room_events(
    room: str,
    feed: FeedDep,
    last_event_id: Annotated[int, Header(ge=0)] = 0,
) -> AsyncIterator[ServerSentEvent]:
    queue: asyncio.Queue[Message] = asyncio.Queue()
    feed.listeners.add(queue)  # listen first, then replay: nothing can fall in between
    try:
        # A browser's EventSource reconnects by itself, sending the last id it saw: resume there.
        yield ServerSentEvent(comment="welcome", retry=5000)
        for message in feed.history(room, after=last_event_id):
            yield ServerSentEvent(data=message, event="message", id=str(message.id))
            last_event_id = message.id
        while True:  # live: runs until the client goes away (this generator is then cancelled)
            message = await queue.get()
            if message.room == room and message.id > last_event_id:
                yield ServerSentEvent(data=message, event="message", id=str(message.id))
    finally:
        feed.listeners.discard(queue)


# --8<-- [end:sse]
