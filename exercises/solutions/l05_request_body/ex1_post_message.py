"""Exercise 05.1 — A message as a JSON body: a reference solution."""

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field

app = FastAPI(title="Exercise 05.1 — A message as a JSON body")


class Message(BaseModel):
    text: str = Field(min_length=1, max_length=500)
    reply_to: int | None = None


@app.post("/rooms/{room_id}/messages", status_code=201)
def post_message(room_id: int, message: Message) -> dict[str, Any]:
    # A model parameter is the body; `room_id` stays in the path.
    return {"room_id": room_id, "message": message}
