"""Exercise 01.2 — Settings that make sense

`POST /rooms/settings` takes a room's settings and answers with them. A name must be 1 to 40
characters, and the slow-mode rate `messages_per_second` must be above 0: a rate of 0 or less
would stop everyone from talking. Today the model accepts any name and any number.

Your task: add those two constraints to `RoomSettings` with Pydantic's `Field`, so that a bad
value is refused with 422 before the function runs.

Check: uv run python -m lessons check 01
"""

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI(title="Exercise 01.2 — Settings that make sense")


class RoomSettings(BaseModel):
    # TODO(exercise): a name of 1 to 40 characters, and a rate greater than 0.
    name: str
    messages_per_second: float
    topic: str | None = None


@app.post("/rooms/settings")
def check_settings(settings: RoomSettings) -> RoomSettings:
    return settings
