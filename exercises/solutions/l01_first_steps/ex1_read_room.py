"""Exercise 01.1 — A room id that is a number: a reference solution."""

from typing import Any

from fastapi import FastAPI

app = FastAPI(title="Exercise 01.1 — A room id that is a number")

ROOMS = {1: "general", 2: "random"}


@app.get("/rooms/{room_id}")
def read_room(room_id: int) -> dict[str, Any]:
    # The annotation converts "2" to 2, refuses "lobby" with 422, and documents the parameter.
    return {"room_id": room_id, "name": ROOMS.get(room_id, "unnamed")}
