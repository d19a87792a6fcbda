"""Exercise 05.3 — Tags without repeats: a reference solution."""

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI(title="Exercise 05.3 — Tags without repeats")


class RichMessage(BaseModel):
    text: str
    tags: set[str] = set()  # a set keeps one of each


@app.post("/rooms/{room_id}/rich-messages")
def post_rich_message(room_id: int, message: RichMessage) -> dict[str, Any]:
    # Sorted, so that the answer is the same on every run whatever the type holds.
    return {"room_id": room_id, "text": message.text, "tags": sorted(message.tags)}
