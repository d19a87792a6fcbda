"""Exercise 22.1 — A clock the tests can set

A message is stamped with `datetime.now(UTC)` inside the endpoint, so a test can only check that
the time is "about now", never an exact answer.

Your task: take the time from a dependency, `get_clock`, that returns a function giving the
current time, and declare it in the endpoint as `clock: Annotated[Callable[[], datetime],
Depends(get_clock)]` (import `Callable` from `collections.abc`, `Annotated` from `typing` and
`Depends` from `fastapi`). A test then sets `app.dependency_overrides[get_clock]` to a fixed clock.

Check: uv run python -m lessons check 22
"""

from datetime import UTC, datetime

from fastapi import FastAPI
from pydantic import BaseModel, Field

app = FastAPI(title="Exercise 22.1 — A clock the tests can set")


class NewMessage(BaseModel):
    text: str = Field(min_length=1, max_length=500)


class Message(NewMessage):
    sent_at: datetime


# TODO(exercise): def get_clock() -> Callable[[], datetime]: return a function giving the time,
# and use it in the endpoint as a dependency instead of calling datetime.now.
@app.post("/rooms/{room}/messages", status_code=201)
def post_message(room: str, new: NewMessage) -> Message:
    return Message(text=new.text, sent_at=datetime.now(UTC))
