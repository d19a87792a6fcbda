"""Exercise 03.1 — A created room says so

`POST /rooms` makes a room. A client expects 201 Created after a POST that makes something, and
`/docs` should show the operation under the **rooms** group. Today it answers 200 and sits under
"default".

Your task: give the decorator a status code of 201 and the tag "rooms".

Check: uv run python -m lessons check 03
"""

from typing import Annotated

from fastapi import FastAPI
from pydantic import BaseModel, Field

app = FastAPI(title="Exercise 03.1 — A created room says so")


class Room(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=40)]
    topic: str | None = None


@app.post("/rooms")  # TODO(exercise): 201 Created, and the tag "rooms"
def create_room(room: Room) -> Room:
    return room
