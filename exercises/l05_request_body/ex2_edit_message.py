"""Exercise 05.2 — An edit wrapped in its name

The chat's clients send an edit as `{"message": {"text": "fixed"}}` to `PUT /messages/{seq}`.
With a single model parameter, FastAPI expects the model to be the whole body, `{"text": "fixed"}`,
so every edit the clients send is refused with 422.

Your task: make `message` a body parameter embedded under its own name.

Check: uv run python -m lessons check 05
"""

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field

app = FastAPI(title="Exercise 05.2 — An edit wrapped in its name")


class Message(BaseModel):
    text: str = Field(min_length=1, max_length=500)


@app.put("/messages/{seq}")
def edit_message(seq: int, message: Message) -> dict[str, Any]:
    # TODO(exercise): ask for {"message": {...}}: `Annotated[Message, Body(embed=True)]`.
    return {"seq": seq, "message": message}
