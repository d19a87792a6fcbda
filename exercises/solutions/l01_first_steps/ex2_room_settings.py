"""Exercise 01.2 — Settings that make sense: a reference solution."""

from typing import Annotated

from fastapi import FastAPI
from pydantic import BaseModel, Field

app = FastAPI(title="Exercise 01.2 — Settings that make sense")


class RoomSettings(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=40)]
    messages_per_second: Annotated[float, Field(gt=0)]
    topic: str | None = None


@app.post("/rooms/settings")
def check_settings(settings: RoomSettings) -> RoomSettings:
    # Pydantic has checked both constraints before this line runs.
    return settings
