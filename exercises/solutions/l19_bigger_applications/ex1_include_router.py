"""Exercise 19.1 — Include the rooms router

The room endpoints live on their own `APIRouter`, written without a prefix (`/`, `/{name}`), but
the router is never included in the app: every room path answers 404.

Your task: include it with `app.include_router(rooms, prefix="/rooms", tags=["rooms"])`, so that
`GET /rooms` and `GET /rooms/{name}` answer and the OpenAPI document tags them `rooms`.

Check: uv run python -m lessons check 19
"""

from fastapi import APIRouter, FastAPI, HTTPException

app = FastAPI(title="Exercise 19.1 — Include the rooms router")
rooms = APIRouter()
ROOMS = {"general": "Anything goes", "python": "Snakes"}


@rooms.get("")
def list_rooms() -> list[str]:
    return sorted(ROOMS)


@rooms.get("/{name}")
def read_room(name: str) -> dict[str, str]:
    if name not in ROOMS:
        raise HTTPException(status_code=404, detail="Room not found")
    return {"name": name, "topic": ROOMS[name]}


app.include_router(rooms, prefix="/rooms", tags=["rooms"])
