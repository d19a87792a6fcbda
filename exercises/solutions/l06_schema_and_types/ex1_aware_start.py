"""Exercise 06.1 — A start with a time zone: a reference solution."""

from datetime import datetime, timedelta
from uuid import UUID

from fastapi import FastAPI
from pydantic import AwareDatetime, BaseModel

app = FastAPI(title="Exercise 06.1 — A start with a time zone")


class ScheduledMessage(BaseModel):
    text: str
    # A start without a zone is now a 422 before the function runs, never a TypeError inside it.
    start: AwareDatetime
    delay: timedelta
    until: AwareDatetime


class Schedule(BaseModel):
    id: UUID
    text: str
    send_at: datetime
    active_for: timedelta


@app.put("/schedules/{schedule_id}")
def schedule_message(schedule_id: UUID, message: ScheduledMessage) -> Schedule:
    send_at = message.start + message.delay
    return Schedule(
        id=schedule_id, text=message.text, send_at=send_at, active_for=message.until - send_at
    )
