"""Exercise 28.1 — Mount the admin app

`admin` is a FastAPI app of its own, for the people who run the chat, but nothing serves it:
`/admin/stats` answers 404.

Your task: mount `admin` on the main app under `/admin`, so that `/admin/stats` answers, the admin
app's own document is at `/admin/openapi.json` and its docs at `/admin/docs`, and the main app's
document still lists only `/rooms`.

Check: uv run python -m lessons check 28
"""

from fastapi import FastAPI

app = FastAPI(title="Exercise 28.1 — Mount the admin app")
admin = FastAPI(title="Chat admin")
ROOMS = {"general": 2, "random": 0}


@app.get("/rooms")
def list_rooms() -> list[str]:
    return sorted(ROOMS)


@admin.get("/stats")
def stats() -> dict[str, int]:
    return {"rooms": len(ROOMS), "messages": sum(ROOMS.values())}


# TODO(exercise): mount `admin` under "/admin".
