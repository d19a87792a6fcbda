"""Exercise 25.1 — Created or updated

`PUT /rooms/{name}` creates the room when it does not exist yet and updates its topic when it
does, but it always answers 200: a client cannot tell which happened, nor where the new room is.

Your task: when the room is created, answer 201 and a `Location` header with the room's path
(`/rooms/{name}`), through a `response: Response` parameter (import `Response` from `fastapi`).
An update still answers 200 with no `Location`. The body stays the returned `Room`.

Check: uv run python -m lessons check 25
"""

from typing import Annotated

from fastapi import FastAPI, Path
from pydantic import BaseModel, Field

app = FastAPI(title="Exercise 25.1 — Created or updated")


class RoomIn(BaseModel):
    topic: str = Field(max_length=200)


class Room(BaseModel):
    name: str
    topic: str


TOPICS = {"general": "Anything goes"}


@app.put("/rooms/{name}")
def put_room(name: Annotated[str, Path(pattern=r"^[a-z0-9-]{1,30}$")], room: RoomIn) -> Room:
    # TODO(exercise): on a creation, set the response's status code to 201 and its Location.
    TOPICS[name] = room.topic
    return Room(name=name, topic=room.topic)
