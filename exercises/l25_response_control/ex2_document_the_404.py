"""Exercise 25.2 — Document the 404

`GET /rooms/{name}` answers 404 with `{"detail": "..."}` for a room that does not exist, but the
OpenAPI document only lists 200 and 422: a client generated from it does not know a 404 can come.

Your task: add `responses=` to the decorator, documenting the 404 with the model `Problem` and
the description "There is no room by that name.".

Check: uv run python -m lessons check 25
"""

from fastapi import FastAPI, HTTPException, status
from pydantic import BaseModel

app = FastAPI(title="Exercise 25.2 — Document the 404")


class Problem(BaseModel):
    detail: str


class Room(BaseModel):
    name: str
    topic: str


TOPICS = {"general": "Anything goes"}


# TODO(exercise): `responses={404: {"model": Problem, "description": "..."}}`.
@app.get("/rooms/{name}")
def get_room(name: str) -> Room:
    if name not in TOPICS:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No room named {name!r}")
    return Room(name=name, topic=TOPICS[name])
