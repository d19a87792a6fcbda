"""Exercise 04.1 — Rooms a page at a time

`GET /rooms` should answer one page of rooms: three by default, and `?skip=3&limit=2` the two rooms
after the first three. A `limit` below 1 or above 50 should be refused with 422. Today the
function takes no parameters and answers every room.

Your task: add the query parameters `skip` (default 0) and `limit` (default 3, from 1 to 50
with `Query()`), and answer `ROOMS[skip : skip + limit]`.

Check: uv run python -m lessons check 04
"""

from fastapi import FastAPI

app = FastAPI(title="Exercise 04.1 — Rooms a page at a time")

ROOMS = ["general", "python", "help", "music", "games", "jobs"]


@app.get("/rooms")
def list_rooms() -> list[str]:  # TODO(exercise): skip and limit, from the query string
    return ROOMS
