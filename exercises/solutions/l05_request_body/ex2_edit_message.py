"""Exercise 05.2 — An edit wrapped in its name: a reference solution."""

from typing import Annotated, Any

from fastapi import Body, FastAPI
from pydantic import BaseModel, Field

app = FastAPI(title="Exercise 05.2 — An edit wrapped in its name")


class Message(BaseModel):
    text: str = Field(min_length=1, max_length=500)


@app.put("/messages/{seq}")
def edit_message(seq: int, message: Annotated[Message, Body(embed=True)]) -> dict[str, Any]:
    # `embed=True` makes the body {"message": {...}} even though there is one model.
    return {"seq": seq, "message": message}
