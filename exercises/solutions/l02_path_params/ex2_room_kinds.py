"""Exercise 02.2 — Only the room kinds there are: a reference solution."""

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
def describe_kind(kind: RoomKind) -> dict[str, str]:
    # Any other value is refused with 422 before this line; a StrEnum member is also a str key.
    return {"kind": kind, "rule": RULES[kind]}
