"""Exercise 04.1 — Rooms a page at a time: a reference solution."""

from typing import Annotated

from fastapi import FastAPI, Query

app = FastAPI(title="Exercise 04.1 — Rooms a page at a time")

ROOMS = ["general", "python", "help", "music", "games", "jobs"]


@app.get("/rooms")
def list_rooms(skip: int = 0, limit: Annotated[int, Query(ge=1, le=50)] = 3) -> list[str]:
    # Parameters not in the path come from the query string; the defaults make them optional.
    return ROOMS[skip : skip + limit]
