"""Exercise 09.2 — A new room from a form: a reference solution."""

from typing import Annotated

from fastapi import FastAPI, Form
from pydantic import BaseModel, ConfigDict, Field

app = FastAPI(title="Exercise 09.2 — A new room from a form")


class NewRoom(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z0-9-]+$")]
    topic: str = ""
    # An unticked checkbox is not sent at all; a ticked one sends "on", read as True.
    private: bool = False
    tags: list[str] = []


@app.post("/rooms", status_code=201)
def open_room(room: Annotated[NewRoom, Form()]) -> NewRoom:
    return room
