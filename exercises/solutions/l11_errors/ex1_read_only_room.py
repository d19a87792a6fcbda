"""Exercise 11.1 — A read-only room says so: a reference solution."""

from typing import Annotated, Any

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

app = FastAPI(title="Exercise 11.1 — A read-only room says so")

ROOMS: dict[str, dict[str, Any]] = {
    "general": {"read_only": False},
    "announcements": {"read_only": True},
}


class NewMessage(BaseModel):
    text: Annotated[str, Field(min_length=1, max_length=500)]


@app.post("/rooms/{name}/messages", status_code=201)
def post_message(name: str, message: NewMessage) -> dict[str, str]:
    if name not in ROOMS:
        raise HTTPException(status_code=404, detail=f"No room named {name!r}")
    if ROOMS[name]["read_only"]:
        raise HTTPException(
            status_code=403,
            detail=f"{name} is read-only: only moderators post here",
            # Headers go out with the error response: a hint a client can act on.
            headers={"X-Room-Mode": "read-only"},
        )
    return {"room": name, "text": message.text}
