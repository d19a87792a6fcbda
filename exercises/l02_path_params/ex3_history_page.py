"""Exercise 02.3 — Pages of history that exist

`GET /rooms/{room_id}/history/{page}` answers one page of a room's history. Room ids start at 1,
and pages run from 1 to 99: `/rooms/0/history/1`, `/rooms/1/history/0` and `/rooms/1/history/100`
should be refused with 422, and `/docs` should show the bounds. Today any whole number is accepted.

Your task: bound both parameters with `Path()`: `room_id` greater than 0, `page` at least 1 and
less than 100. Give `page` the title "Page of history" too.

Check: uv run python -m lessons check 02
"""

from fastapi import FastAPI

app = FastAPI(title="Exercise 02.3 — Pages of history that exist")


@app.get("/rooms/{room_id}/history/{page}")
def read_history_page(room_id: int, page: int) -> dict[str, int]:
    # TODO(exercise): `Annotated[int, Path(...)]` for both, with the bounds above.
    return {"room_id": room_id, "page": page}
