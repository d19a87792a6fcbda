"""Exercise 02.2 — Only the room kinds there are

A room is public, private or direct. `GET /room-kinds/private` should answer its rule, and
`GET /room-kinds/secret` should be refused with 422, with `/docs` offering the three kinds to pick
from. Today `kind` is any text: "secret" gets the public rule.

Your task: let the `RoomKind` enum decide which values `kind` may take.

Check: uv run python -m lessons check 02
"""

from enum import StrEnum

from fastapi import FastAPI

app = FastAPI(title="Exercise 02.2 — Only the room kinds there are")


class RoomKind(StrEnum):
    public = "public"
    private = "private"
    direct = "direct"


RULES = {
    "public": "anyone can join",
    "private": "members join by invitation",
    "direct": "two members, no more",
}


@app.get("/room-kinds/{kind}")
def describe_kind(kind: str) -> dict[str, str]:  # TODO(exercise): only a RoomKind
    return {"kind": kind, "rule": RULES.get(kind, RULES["public"])}
