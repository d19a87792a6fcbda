"""Exercise 02.3 — Pages of history that exist: a reference solution."""

from typing import Annotated

from fastapi import FastAPI, Path

app = FastAPI(title="Exercise 02.3 — Pages of history that exist")


@app.get("/rooms/{room_id}/history/{page}")
def read_history_page(
    room_id: Annotated[int, Path(gt=0)],
    page: Annotated[int, Path(title="Page of history", ge=1, lt=100)],
) -> dict[str, int]:
    # Out-of-bounds values are refused with 422 before this line, and the bounds are in /docs.
    return {"room_id": room_id, "page": page}
