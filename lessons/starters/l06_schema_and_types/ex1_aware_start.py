"""Exercise 06.1 — A start with a time zone

`PUT /schedules/{schedule_id}` schedules a message at `start + delay` and says how long it stays
active until `until`. Today `start` is a plain `datetime`, so a start without a zone, such as
`"2026-11-24T09:00:00"`, is accepted; subtracting it from the aware `until` then raises
`TypeError` and the server answers 500 instead of saying what is wrong with the request.

Your task: make `start` refuse a datetime without a time zone, so that such a request is a 422
about `start`, while `"2026-11-24T09:00:00Z"` still works.

Check: uv run python -m lessons check 06
"""

from datetime import datetime, timedelta
from uuid import UUID

from fastapi import FastAPI
from pydantic import AwareDatetime, BaseModel

app = FastAPI(title="Exercise 06.1 — A start with a time zone")


class ScheduledMessage(BaseModel):
    text: str
    # TODO(exercise): a type that refuses a datetime without a zone (pydantic has one).
    start: datetime
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
