"""Exercise 27.1 — Tags with descriptions

The app's endpoints carry two tags, `rooms` and `members`, and /docs groups them by tag, but with
no word on what each group is, and in the order the endpoints happen to be declared.

Your task: pass `openapi_tags` to `FastAPI(...)`: a list of two dicts, `members` first, then
`rooms`, each with a "name" and a "description" (members: "Who is in the chat.", rooms: "The
chat's rooms.").

Check: uv run python -m lessons check 27
"""

from fastapi import FastAPI

# TODO(exercise): openapi_tags=[{"name": "members", "description": ...}, {"name": "rooms", ...}]
app = FastAPI(title="Exercise 27.1 — Tags with descriptions")


@app.get("/rooms", tags=["rooms"])
def list_rooms() -> list[str]:
    return ["general"]


@app.get("/members", tags=["members"])
def list_members() -> list[str]:
    return ["alice", "bob"]
