"""Exercise 13.1 — Closed, whatever happens

`get_session` opens a session before the endpoint and closes it after. But when the endpoint
raises (a 404 for a room that does not exist), the exception arrives at the `yield`, and the line
after it never runs: the session stays open, and every such request leaks one.

Your task: put the `yield` in a `try:` and the closing in its `finally:`, so it runs either way.

Check: uv run python -m lessons check 13
"""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException

app = FastAPI(title="Exercise 13.1 — Closed, whatever happens")

OPEN: set[int] = set()  # the sessions open right now
ROOMS = {"general": "Anything goes"}


def get_session() -> Iterator[int]:
    session = len(OPEN) + 1000
    OPEN.add(session)
    # TODO(exercise): close it in a `finally`, so an exception cannot skip it.
    yield session
    OPEN.discard(session)


@app.get("/rooms/{room}")
def read_room(room: str, session: Annotated[int, Depends(get_session)]) -> dict[str, str]:
    if room not in ROOMS:
        raise HTTPException(status_code=404, detail="Room not found")
    return {"name": room, "topic": ROOMS[room]}


@app.get("/sessions/open")
def count_open() -> int:
    return len(OPEN)
