"""Exercise 11.3 — Count the errors, keep the answer

The chat's monitoring reads a header `X-Error-Count` on every 422: how many things were wrong
with the request. `POST /rooms/{name}/messages` with `{"text": "", "reply_to": "first"}` should
answer FastAPI's usual 422, the same `{"detail": [...]}` with both errors, plus the header
`X-Error-Count: 2`. Today the 422 has no such header.

Your task: register a handler for `RequestValidationError` that lets FastAPI's own handler build
the 422, then adds the header to it.

Check: uv run python -m lessons check 11
"""

from typing import Annotated

from fastapi import FastAPI
from pydantic import BaseModel, Field

app = FastAPI(title="Exercise 11.3 — Count the errors, keep the answer")


class NewMessage(BaseModel):
    text: Annotated[str, Field(min_length=1, max_length=500)]
    reply_to: int | None = None


# TODO(exercise): `@app.exception_handler(RequestValidationError)` on an `async def` that awaits
# `request_validation_exception_handler(request, exc)` and sets the header on its response
# (from fastapi.exception_handlers and fastapi.exceptions; Request from fastapi).


@app.post("/rooms/{name}/messages", status_code=201)
def post_message(name: str, message: NewMessage) -> dict[str, str]:
    return {"room": name, "text": message.text}
