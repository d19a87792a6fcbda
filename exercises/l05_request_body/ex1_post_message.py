"""Exercise 05.1 — A message as a JSON body

`POST /rooms/{room_id}/messages` should read the message from a JSON body such as
`{"text": "Hello, room!"}` and answer 201 with it. Today `text` is a plain `str` parameter, so
FastAPI looks for it in the query string and ignores the body.

Your task: write a `Message` model (`text`: 1 to 500 characters; `reply_to`: an optional `int`)
and let the function take `message: Message` instead of `text`.

Check: uv run python -m lessons check 05
"""

from typing import Any

from fastapi import FastAPI

app = FastAPI(title="Exercise 05.1 — A message as a JSON body")

# TODO(exercise): a `Message` model here (from pydantic import BaseModel, Field).


@app.post("/rooms/{room_id}/messages", status_code=201)
def post_message(room_id: int, text: str = "") -> dict[str, Any]:
    # TODO(exercise): take `message: Message` and answer {"room_id": ..., "message": message}.
    return {"room_id": room_id, "message": {"text": text, "reply_to": None}}
