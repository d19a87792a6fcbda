"""Exercise 05.3 — Tags without repeats

A message may carry tags, and a tag sent twice should count once: posting
`{"text": "hi", "tags": ["python", "news", "news"]}` should answer with `["news", "python"]`.
Today `tags` is a `list[str]`, which keeps every repeat.

Your task: change the type of `tags` so that repeats are dropped (and the OpenAPI schema says so).

Check: uv run python -m lessons check 05
"""

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI(title="Exercise 05.3 — Tags without repeats")


class RichMessage(BaseModel):
    text: str
    # TODO(exercise): a type that drops repeated tags.
    tags: list[str] = []


@app.post("/rooms/{room_id}/rich-messages")
def post_rich_message(room_id: int, message: RichMessage) -> dict[str, Any]:
    # Sorted, so that the answer is the same on every run whatever the type holds.
    return {"room_id": room_id, "text": message.text, "tags": sorted(message.tags)}
