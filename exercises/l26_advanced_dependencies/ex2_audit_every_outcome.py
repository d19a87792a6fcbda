"""Exercise 26.2 — Audit every outcome

`audit` is a dependency with `yield`: it hands the endpoint an entry and, after the endpoint,
records it. But only when the endpoint succeeded: when the endpoint raises (404 for a message
that does not exist), the code after `yield` never runs, and the attempt leaves no trace.

Your task: wrap the `yield` in `try`/`except HTTPException`/`else`/`finally`, so that the entry's
"outcome" is "done" after a success and "refused: <detail>" after an `HTTPException`, and the
entry is appended to `AUDIT` either way. Re-raise the exception in `except`, or the client gets a
500 instead of its 404.

Check: uv run python -m lessons check 26
"""

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, status

app = FastAPI(title="Exercise 26.2 — Audit every outcome")

MESSAGES = {1: "alice: Welcome!", 2: "carol: buy cheap watches"}
AUDIT: list[dict[str, Any]] = []


def audit() -> Iterator[dict[str, Any]]:
    entry: dict[str, Any] = {}
    # TODO(exercise): try / except HTTPException (outcome "refused: <detail>", re-raise) /
    # else (outcome "done") / finally (append the entry to AUDIT).
    yield entry
    entry["outcome"] = "done"
    AUDIT.append(entry)


@app.delete("/rooms/general/messages/{message_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_message(message_id: int, entry: Annotated[dict[str, Any], Depends(audit)]) -> None:
    entry["action"] = f"delete message {message_id}"
    if message_id not in MESSAGES:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No message {message_id}")
    del MESSAGES[message_id]


@app.get("/audit")
def read_audit() -> list[dict[str, Any]]:
    return AUDIT
