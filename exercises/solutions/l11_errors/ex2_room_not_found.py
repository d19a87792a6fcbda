"""Exercise 11.2 — One handler for a missing room: a reference solution."""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
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


@app.exception_handler(RoomNotFound)
def room_not_found_handler(request: Request, exc: RoomNotFound) -> JSONResponse:
    # Wherever find_room raises, this answers: the endpoints stay free of HTTP details.
    body = RoomError(detail=f"No room named {exc.name!r}", room=exc.name)
    return JSONResponse(status_code=404, content=body.model_dump())


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
