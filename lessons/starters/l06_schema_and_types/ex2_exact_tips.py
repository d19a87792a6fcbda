"""Exercise 06.2 — Tips that add up exactly

`POST /rooms/{room_id}/tips` adds up the tips sent in a room. Today `amount` is a `float`, so
tips of `"0.10"` and `"0.20"` add up to `0.30000000000000004`, and an amount such as `"0.105"`,
which no one can pay, is accepted.

Your task: make `amount` a `Decimal` greater than 0 with at most 8 digits, 2 of them after the
point, make `total` a `Decimal` too, and add the amounts up as `Decimal`s, so that the total of
those two tips is exactly `"0.30"`.

Check: uv run python -m lessons check 06
"""

from fastapi import FastAPI
from pydantic import BaseModel, Field

app = FastAPI(title="Exercise 06.2 — Tips that add up exactly")


class Tip(BaseModel):
    sender: str
    # TODO(exercise): an exact `amount: Decimal = Field(...)` (from decimal import Decimal).
    amount: float = Field(gt=0)


class TipTotal(BaseModel):
    count: int
    total: float


@app.post("/rooms/{room_id}/tips")
def add_tips(room_id: int, tips: list[Tip]) -> TipTotal:
    return TipTotal(count=len(tips), total=sum(tip.amount for tip in tips))
