"""Lesson 06 — Schema examples and extra data types

Examples for the docs written four ways (`model_config["json_schema_extra"]`, `Field(examples=...)`,
`Body(examples=...)` and named `openapi_examples`), and the data types beyond `str` and `int`:
`UUID`, `datetime`, `date`, `time`, `timedelta`, `frozenset`, `bytes` and `Decimal`, with their ISO
8601 and string forms on the wire and arithmetic on the server (a message scheduled at start +
delay, how long it stays active, a sum of tips kept exact).

Run:  uvicorn lessons.l06_schema_and_types:app --reload   (then open http://127.0.0.1:8000/docs)
Test: pytest tests/lessons/test_l06_schema_and_types.py
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from fastapi import Body, FastAPI
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

app = FastAPI(
    title="Lesson 06 — Schema examples and extra data types",
    description="Scheduled messages, tips and raw payloads: types beyond str and int.",
)


# --8<-- [start:types]
class ScheduledMessage(BaseModel):
    # An example for the whole model: it lands in the model's JSON Schema.
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "text": "Stand-up in five minutes",
                    "start": "2026-11-24T09:00:00Z",
                    "delay": "PT1H30M",
                    "until": "2026-11-30T18:00:00Z",
                    "repeat_at": "09:25:00",
                    "skip_days": ["2026-11-28", "2026-11-29"],
                }
            ]
        }
    )

    text: str
    # AwareDatetime refuses "2026-11-24T09:00:00" without a zone: subtracting a naive
    # datetime from an aware one raises TypeError, which would be a 500.
    start: AwareDatetime
    delay: timedelta
    until: AwareDatetime
    repeat_at: time | None = None
    skip_days: frozenset[date] = frozenset()


class Schedule(BaseModel):
    id: UUID
    text: str
    send_at: datetime
    active_for: timedelta
    repeat_at: time | None
    skip_days: list[date]


SCHEDULE_EXAMPLES = {
    "in_an_hour": {
        "summary": "Send once, an hour after start",
        "value": {
            "text": "Lunch?",
            "start": "2026-11-24T11:00:00Z",
            "delay": 3600,
            "until": "2026-11-24T13:00:00Z",
        },
    },
    "naive": {
        "summary": "Refused: no time zone",
        "description": "A datetime without a zone is a 422, not a guess.",
        "value": {
            "text": "Lunch?",
            "start": "2026-11-24T11:00:00",
            "delay": 3600,
            "until": "2026-11-24T13:00:00Z",
        },
    },
}


@app.put("/schedules/{schedule_id}")
def schedule_message(
    schedule_id: UUID,
    message: Annotated[ScheduledMessage, Body(openapi_examples=SCHEDULE_EXAMPLES)],
) -> Schedule:
    # Real datetime and timedelta objects: the arithmetic is plain Python.
    send_at = message.start + message.delay
    return Schedule(
        id=schedule_id,
        text=message.text,
        send_at=send_at,
        active_for=message.until - send_at,
        repeat_at=message.repeat_at,
        skip_days=sorted(message.skip_days),
    )


# --8<-- [end:types]


# --8<-- [start:decimal]
class Tip(BaseModel):
    sender: str = Field(examples=["alice"])
    amount: Decimal = Field(gt=0, max_digits=8, decimal_places=2, examples=["0.10"])


class TipTotal(BaseModel):
    count: int
    total: Decimal
    total_as_float: float


TIPS_EXAMPLE = [{"sender": "alice", "amount": "0.10"}, {"sender": "bob", "amount": "0.20"}]


@app.post("/rooms/{room_id}/tips")
def add_tips(tips: Annotated[list[Tip], Body(examples=[TIPS_EXAMPLE])]) -> TipTotal:
    # Decimal adds 0.10 + 0.20 to exactly 0.30; floats give 0.30000000000000004.
    return TipTotal(
        count=len(tips),
        total=sum((tip.amount for tip in tips), Decimal("0")),
        total_as_float=sum(float(tip.amount) for tip in tips),
    )


# --8<-- [end:decimal]


# --8<-- [start:bytes]
@app.post("/rooms/{room_id}/raw")
def post_raw(payload: Annotated[bytes, Body(embed=True)]) -> dict[str, int | bytes]:
    # JSON has no bytes: a client sends a string, which arrives UTF-8 encoded.
    return {"characters": len(payload.decode()), "bytes": len(payload), "payload": payload}


# --8<-- [end:bytes]
