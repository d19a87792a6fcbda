"""Lesson 01 — First steps: FastAPI, Starlette and Pydantic

A minimal chat API with its free interactive docs, the same endpoint written in plain Starlette to
show what FastAPI adds, and a Pydantic model that converts and validates what a client sends.

Run:  uvicorn lessons.l01_first_steps:app --reload   (then open http://127.0.0.1:8000/docs)
Test: pytest tests/lessons/test_l01_first_steps.py
"""

from typing import Annotated

from fastapi import FastAPI
from pydantic import BaseModel, Field
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

# --8<-- [start:app]
app = FastAPI(
    title="Lesson 01 — First steps",
    description="A first chat API: one greeting, one room, one validated model.",
)

ROOMS = {1: "general", 2: "random"}


@app.get("/")
def welcome() -> dict[str, str]:
    return {"message": "Welcome to the chat"}


@app.get("/rooms/{room_id}")
def read_room(room_id: int) -> dict[str, int | str]:
    # `room_id: int` is all it takes: FastAPI reads it from the path, converts it,
    # answers 422 when it is not a whole number, and documents it in /docs.
    return {"room_id": room_id, "name": ROOMS.get(room_id, "unnamed")}


# --8<-- [end:app]


# --8<-- [start:starlette]
async def plain_read_room(request: Request) -> JSONResponse:
    # Starlette gives routing and a request object; converting and checking
    # the input, and describing the API, are ours to write.
    raw = request.path_params["room_id"]
    try:
        room_id = int(raw)
    except ValueError:
        return JSONResponse({"error": f"room_id must be an integer, got {raw!r}"}, status_code=400)
    return JSONResponse({"room_id": room_id, "name": ROOMS.get(room_id, "unnamed")})


plain = Starlette(routes=[Route("/rooms/{room_id}", plain_read_room)])
app.mount("/plain", plain)
# --8<-- [end:starlette]


# --8<-- [start:model]
class RoomSettings(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=40)]
    messages_per_second: Annotated[float, Field(gt=0, description="slow mode: a member's rate")]
    topic: str | None = None


@app.post("/rooms/settings")
def check_settings(settings: RoomSettings) -> RoomSettings:
    # The body is parsed into RoomSettings before this line runs: "1.99" arrives
    # as the float 1.99, and a rate of 0 or less never reaches us (422).
    return settings


# --8<-- [end:model]
