"""Exercise 03.2 — Docs that tell the truth

Two endpoints are described wrongly in `/openapi.json`:

- `GET /health` is for the load balancer, not for API users: it should still answer, but the
  document (and so `/docs`) should not list it;
- `GET /rooms/{room_id}/users` is the old name of `/rooms/{room_id}/members`: it should still
  answer, but be marked deprecated so that readers move to the new one.

Your task: fix both with arguments of the path decorators, leaving the functions as they are.

Check: uv run python -m lessons check 03
"""

from fastapi import FastAPI

app = FastAPI(title="Exercise 03.2 — Docs that tell the truth")

MEMBERS = {1: ["alice", "bob", "chen"], 2: ["dana"]}


@app.get("/rooms/{room_id}/members")
def list_members(room_id: int) -> list[str]:
    return MEMBERS.get(room_id, [])


@app.get("/rooms/{room_id}/users")  # TODO(exercise): mark this one deprecated
def list_users(room_id: int) -> list[str]:
    return MEMBERS.get(room_id, [])


@app.get("/health")  # TODO(exercise): leave this one out of the document
def health() -> dict[str, str]:
    return {"status": "ok"}
