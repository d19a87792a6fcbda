"""Exercise 08.2 — Only the settings a room was given: a reference solution."""

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


@app.get("/rooms/{room}/settings/set", response_model_exclude_unset=True)
def read_settings_set(room: str) -> RoomSettings:
    if room not in ROOMS:
        raise HTTPException(status_code=404, detail="Room not found")
    return RoomSettings(**ROOMS[room])
