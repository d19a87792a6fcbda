"""Exercise 06.3 — A named example in the docs

`/docs` offers one ready-made request body for `PUT /schedules/{schedule_id}`, "in_an_hour", in
its **Examples** drop-down. Readers also want to see a message sent one minute after its start.

Your task: add a second named example, `"in_a_minute"`, to `SCHEDULE_EXAMPLES`, with a
`"summary"` and a `"value"` that the endpoint accepts: `"delay": "PT1M"` (one minute, in ISO 8601).

Check: uv run python -m lessons check 06
"""

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
    # TODO(exercise): an "in_a_minute" example whose value has "delay": "PT1M".
}


@app.put("/schedules/{schedule_id}")
def schedule_message(
    schedule_id: UUID,
    message: Annotated[ScheduledMessage, Body(openapi_examples=SCHEDULE_EXAMPLES)],
) -> Schedule:
    return Schedule(id=schedule_id, text=message.text, send_at=message.start + message.delay)
