"""Rooms: the router carries its own prefix, tags, dependency and extra response."""

from typing import Annotated

from fastapi import APIRouter, Body, Depends, HTTPException

from ..dependencies import require_member

# --8<-- [start:router]
router = APIRouter(
    prefix="/rooms",
    tags=["rooms"],
    dependencies=[Depends(require_member)],
    responses={404: {"description": "Room not found"}},
)

ROOMS: dict[str, dict[str, str]] = {
    "general": {"name": "general", "topic": "Anything goes"},
    "random": {"name": "random", "topic": "Off-topic"},
}


@router.get("/")
def list_rooms() -> list[dict[str, str]]:
    return list(ROOMS.values())


@router.get("/{name}")
def read_room(name: str) -> dict[str, str]:
    if name not in ROOMS:
        raise HTTPException(status_code=404, detail="Room not found")
    return ROOMS[name]


@router.put(
    "/{name}/topic",
    # Added to the router's own tag and responses, not replacing them.
    tags=["moderation"],
    responses={409: {"description": "The topic is already set to that"}},
)
def set_topic(name: str, topic: Annotated[str, Body(embed=True, max_length=80)]) -> dict[str, str]:
    room = read_room(name)
    if room["topic"] == topic:
        raise HTTPException(status_code=409, detail="The topic is already set to that")
    room["topic"] = topic
    return room


# --8<-- [end:router]
