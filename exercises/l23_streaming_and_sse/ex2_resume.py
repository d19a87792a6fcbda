"""Exercise 23.2 — Resume where the client left off

`GET /rooms/{room}/events` sends the room's messages as server-sent events, each with its `id`. A
browser's `EventSource` that loses its connection reconnects by itself and sends the last id it
saw in the header `Last-Event-ID`, but this endpoint ignores it and sends everything again.

Your task: read the header as `last_event_id: Annotated[int, Header(ge=0)] = 0` (import
`Annotated` from `typing` and `Header` from `fastapi`), and send only the messages whose id is
greater. A header that is not a number is refused with 422.

Check: uv run python -m lessons check 23
"""

from collections.abc import Iterator

from fastapi import FastAPI
from fastapi.sse import EventSourceResponse, ServerSentEvent

app = FastAPI(title="Exercise 23.2 — Resume where the client left off")

MESSAGES = [(1, "ada: hello"), (2, "linus: hi ada"), (3, "ada: how are you?")]


@app.get("/rooms/{room}/events", response_class=EventSourceResponse)
def room_events(room: str) -> Iterator[ServerSentEvent]:
    # TODO(exercise): a `last_event_id` header parameter, and skip the ids up to it.
    for message_id, text in MESSAGES:
        yield ServerSentEvent(data=text, event="message", id=str(message_id))
