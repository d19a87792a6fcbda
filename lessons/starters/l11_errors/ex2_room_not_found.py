"""Exercise 11.2 — One handler for a missing room

`find_room` raises `RoomNotFound`, an exception of the chat's own that knows nothing about HTTP,
and two endpoints call it. Asking for a room that does not exist, such as `GET /rooms/nowhere`,
should answer 404 with `{"detail": "No room named 'nowhere'", "room": "nowhere"}`. Today nothing
turns the exception into an answer, so the client gets a bare 500 "Internal Server Error".

Your task: register one exception handler for `RoomNotFound` that answers that 404 for every
endpoint, without touching the endpoints.

Check: uv run python -m lessons check 11
"""

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI(title="Exercise 11.2 — One handler for a missing room")

ROOMS: dict[str, dict[str, Any]] = {
    "general": {"topic": "Anything goes", "messages": ["hi", "hello there"]},
}


class RoomNotFound(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class RoomError(BaseModel):
    detail: str
    room: str


# TODO(exercise): `@app.exception_handler(RoomNotFound)` on a function that answers a 404
# JSONResponse with a RoomError (from fastapi import Request; from fastapi.responses import
# JSONResponse).


def find_room(name: str) -> dict[str, Any]:
    if name not in ROOMS:
        raise RoomNotFound(name)
    return ROOMS[name]


@app.get("/rooms/{name}")
def read_room(name: str) -> dict[str, str]:
    return {"name": name, "topic": find_room(name)["topic"]}


@app.get("/rooms/{name}/messages")
def read_messages(name: str) -> list[str]:
    messages: list[str] = find_room(name)["messages"]
    return messages
