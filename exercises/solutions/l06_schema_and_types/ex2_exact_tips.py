"""Exercise 06.2 — Tips that add up exactly: a reference solution."""

from decimal import Decimal

from fastapi import FastAPI
from pydantic import BaseModel, Field

app = FastAPI(title="Exercise 06.2 — Tips that add up exactly")


class Tip(BaseModel):
    sender: str
    amount: Decimal = Field(gt=0, max_digits=8, decimal_places=2)


class TipTotal(BaseModel):
    count: int
    # A Decimal goes out as a string, "0.30", so no client turns it back into a float.
    total: Decimal


@app.post("/rooms/{room_id}/tips")
def add_tips(room_id: int, tips: list[Tip]) -> TipTotal:
    return TipTotal(count=len(tips), total=sum((tip.amount for tip in tips), Decimal("0")))
