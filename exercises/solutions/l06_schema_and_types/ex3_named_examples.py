"""Exercise 06.3 — A named example in the docs: a reference solution."""

from datetime import datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import Body, FastAPI
from pydantic import AwareDatetime, BaseModel

app = FastAPI(title="Exercise 06.3 — A named example in the docs")


class ScheduledMessage(BaseModel):
    text: str
    start: AwareDatetime
    delay: timedelta


class Schedule(BaseModel):
    id: UUID
    text: str
    send_at: datetime


SCHEDULE_EXAMPLES: dict[str, Any] = {
    "in_an_hour": {
        "summary": "Send once, an hour after start",
        "value": {"text": "Lunch?", "start": "2026-11-24T11:00:00Z", "delay": 3600},
    },
    "in_a_minute": {
        "summary": "Send a minute after start",
        "value": {"text": "Coffee?", "start": "2026-11-24T11:00:00Z", "delay": "PT1M"},
    },
}


@app.put("/schedules/{schedule_id}")
def schedule_message(
    schedule_id: UUID,
    message: Annotated[ScheduledMessage, Body(openapi_examples=SCHEDULE_EXAMPLES)],
) -> Schedule:
    return Schedule(id=schedule_id, text=message.text, send_at=message.start + message.delay)
