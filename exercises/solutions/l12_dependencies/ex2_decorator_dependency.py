"""Exercise 12.2 — A check with nothing to return

Deleting a room should need the header `X-Admin-Key: letmein`. `verify_admin_key` checks it, but
the endpoint does not use it. The check returns nothing the endpoint needs, so it belongs in the
decorator, not among the endpoint's parameters.

Your task: add `dependencies=[Depends(verify_admin_key)]` to the `@app.delete(...)` decorator
(import `Depends` from `fastapi`). Without the key, the delete then answers 403, and nothing is
deleted.

Check: uv run python -m lessons check 12
"""

from typing import Annotated

from fastapi import Depends, FastAPI, Header, HTTPException

app = FastAPI(title="Exercise 12.2 — A check with nothing to return")

ROOMS = {"general", "random"}


def verify_admin_key(x_admin_key: Annotated[str | None, Header()] = None) -> None:
    if x_admin_key != "letmein":
        raise HTTPException(status_code=403, detail="Admins only")


@app.delete("/rooms/{room}", status_code=204, dependencies=[Depends(verify_admin_key)])
def delete_room(room: str) -> None:
    ROOMS.discard(room)


@app.get("/rooms")
def list_rooms() -> list[str]:
    return sorted(ROOMS)
