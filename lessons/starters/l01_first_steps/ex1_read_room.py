"""Exercise 01.1 — A room id that is a number

`GET /rooms/2` should answer `{"room_id": 2, "name": "random"}`, and `GET /rooms/lobby` should be
refused with 422. Today `room_id` has no type: it arrives as the text "2", which is not a key of
`ROOMS` (whose keys are numbers), so every room is "unnamed" and any text is accepted.

Your task: tell FastAPI what `room_id` is.

Check: uv run python -m lessons check 01
"""

from typing import Any

from fastapi import FastAPI

app = FastAPI(title="Exercise 01.1 — A room id that is a number")

ROOMS = {1: "general", 2: "random"}


@app.get("/rooms/{room_id}")
def read_room(room_id) -> dict[str, Any]:  # TODO(exercise): declare the type of room_id
    return {"room_id": room_id, "name": ROOMS.get(room_id, "unnamed")}
