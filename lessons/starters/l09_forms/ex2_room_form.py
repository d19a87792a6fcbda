"""Exercise 09.2 — A new room from a form

The "new room" form posts `name`, `topic`, a `private` checkbox and several `tags` checkboxes to
`POST /rooms`. `NewRoom` already describes those fields. Today the function takes
`room: NewRoom`, which FastAPI reads as a JSON body, so the form is answered 422.

Your task: read the whole `NewRoom` model from the form fields.

Check: uv run python -m lessons check 09
"""

from typing import Annotated

from fastapi import FastAPI
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
# TODO(exercise): the model from the form: `Annotated[NewRoom, Form()]` (from fastapi import Form).
def open_room(room: NewRoom) -> NewRoom:
    return room
