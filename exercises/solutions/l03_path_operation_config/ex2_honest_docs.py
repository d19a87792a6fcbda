"""Exercise 03.2 — Docs that tell the truth: a reference solution."""

from fastapi import FastAPI

app = FastAPI(title="Exercise 03.2 — Docs that tell the truth")

MEMBERS = {1: ["alice", "bob", "chen"], 2: ["dana"]}


@app.get("/rooms/{room_id}/members")
def list_members(room_id: int) -> list[str]:
    return MEMBERS.get(room_id, [])


# Deprecated is a note to readers, not a switch: the endpoint keeps answering.
@app.get("/rooms/{room_id}/users", deprecated=True)
def list_users(room_id: int) -> list[str]:
    return MEMBERS.get(room_id, [])


# Out of the document, still served.
@app.get("/health", include_in_schema=False)
def health() -> dict[str, str]:
    return {"status": "ok"}
