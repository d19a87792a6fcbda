"""Exercise 29.1 — Tell attachments apart

An attachment is an `Image` or a `Link`. As a plain union, Pydantic tries both models, and an
image without its `width` comes back with errors for both: the image's missing width, and the
link's wrong `kind`. A client cannot tell which to fix.

Your task: make `Attachment` a discriminated union on the field `kind`, with
`Annotated[Image | Link, Field(discriminator="kind")]` (import `Annotated` from `typing`), so that
each attachment is checked against the one model its `kind` names.

Check: uv run python -m lessons check 29
"""

from typing import Literal

from fastapi import FastAPI, status
from pydantic import BaseModel, Field, HttpUrl

app = FastAPI(title="Exercise 29.1 — Tell attachments apart")


class Image(BaseModel):
    kind: Literal["image"]
    url: HttpUrl
    width: int = Field(gt=0)


class Link(BaseModel):
    kind: Literal["link"]
    url: HttpUrl


# TODO(exercise): discriminate the union by `kind`.
Attachment = Image | Link


class NewMessage(BaseModel):
    text: str = Field(min_length=1, max_length=500)
    attachments: list[Attachment] = []


@app.post("/rooms/{room}/messages", status_code=status.HTTP_201_CREATED)
def post_message(room: str, message: NewMessage) -> NewMessage:
    return message
