"""Exercise 11.1 — A read-only room says so

Only moderators post in `announcements`. `POST /rooms/announcements/messages` should answer 403
with a `detail` that says the room is read-only, and a header `X-Room-Mode: read-only` that a
client can act on. Today the endpoint never looks at `read_only`, so anyone's message is taken
(201).

Your task: when the room is read-only, end the request with that 403, its detail and its header.

Check: uv run python -m lessons check 11
"""

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
    # TODO(exercise): a read-only room ends here: HTTPException(403, detail=..., headers=...).
    return {"room": name, "text": message.text}
