"""Exercise 08.2 — Only the settings a room was given

`GET /rooms/{room}/settings/set` should answer only the settings a room was given a value for:
`{"name": "general"}` for the room that has nothing else, but all four fields for `quiet`, whose
values were all given, even though they equal the defaults. Today every field comes back, with
its default filled in.

Your task: make this endpoint leave out the fields that were never set.

Check: uv run python -m lessons check 08
"""

from typing import Any

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

app = FastAPI(title="Exercise 08.2 — Only the settings a room was given")


class RoomSettings(BaseModel):
    name: str
    topic: str | None = None
    slow_mode_seconds: int = 0
    tags: list[str] = []


ROOMS: dict[str, dict[str, Any]] = {
    "general": {"name": "general"},
    "python": {"name": "python", "topic": "All things Python", "slow_mode_seconds": 5},
    "quiet": {"name": "quiet", "topic": None, "slow_mode_seconds": 0, "tags": []},
}


# TODO(exercise): an argument of the decorator that leaves out what was never set.
@app.get("/rooms/{room}/settings/set")
def read_settings_set(room: str) -> RoomSettings:
    if room not in ROOMS:
        raise HTTPException(status_code=404, detail="Room not found")
    return RoomSettings(**ROOMS[room])
