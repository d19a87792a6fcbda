"""Exercise 16.1 — Mentions after the answer

A message that mentions someone (`@bob`) records a mention for them, but it does so before it
answers: the sender waits for the bookkeeping of every name in the message.

Your task: add a `background_tasks: BackgroundTasks` parameter (import `BackgroundTasks` from
`fastapi`) and queue `record_mentions` with `background_tasks.add_task(record_mentions, text)`
instead of calling it. It then runs after the answer is sent.

Check: uv run python -m lessons check 16
"""

import re

from fastapi import BackgroundTasks, FastAPI
from pydantic import BaseModel, Field

app = FastAPI(title="Exercise 16.1 — Mentions after the answer")

MENTIONS: dict[str, list[str]] = {}
EVENTS: list[str] = []  # what happened, in order: the checks read it


class NewMessage(BaseModel):
    text: str = Field(min_length=1, max_length=500)


def record_mentions(text: str) -> None:
    for name in re.findall(r"@(\w+)", text):
        MENTIONS.setdefault(name, []).append(text)
    EVENTS.append("mentions recorded")


@app.post("/rooms/general/messages", status_code=201)
def post_message(new: NewMessage, background_tasks: BackgroundTasks) -> dict[str, str]:
    background_tasks.add_task(record_mentions, new.text)
    return {"posted": new.text}


@app.get("/mentions/{name}")
def read_mentions(name: str) -> list[str]:
    return MENTIONS.get(name, [])
