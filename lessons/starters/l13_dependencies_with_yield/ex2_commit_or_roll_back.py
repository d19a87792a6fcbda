"""Exercise 13.2 — Commit or roll back

`transaction` hands the endpoint a list of changes to make, and after the endpoint it should
commit them if the endpoint succeeded, and roll them back if it raised. Today it commits always:
a message posted to a closed room is refused with 409, yet stored.

Your task: replace the `finally:` with `except Exception:` (drop the changes, then `raise`
again) and `else:` (commit them: `MESSAGES.extend(changes)`).

Check: uv run python -m lessons check 13
"""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException

app = FastAPI(title="Exercise 13.2 — Commit or roll back")

MESSAGES: list[str] = []
CLOSED = {"archive"}


def transaction() -> Iterator[list[str]]:
    changes: list[str] = []
    try:
        yield changes
    finally:
        # TODO(exercise): commit only when the endpoint succeeded; re-raise after a rollback.
        MESSAGES.extend(changes)


@app.post("/rooms/{room}/messages", status_code=201)
def post_message(
    room: str, text: str, changes: Annotated[list[str], Depends(transaction)]
) -> dict[str, str]:
    changes.append(f"{room}: {text}")
    if room in CLOSED:
        raise HTTPException(status_code=409, detail="This room is closed")
    return {"room": room, "text": text}


@app.get("/messages")
def read_messages() -> list[str]:
    return MESSAGES
