"""Exercise 03.1 — A created room says so: a reference solution."""

from typing import Annotated

from fastapi import FastAPI, status
from pydantic import BaseModel, Field

app = FastAPI(title="Exercise 03.1 — A created room says so")


class Room(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=40)]
    topic: str | None = None


@app.post("/rooms", status_code=status.HTTP_201_CREATED, tags=["rooms"])
def create_room(room: Room) -> Room:
    return room
