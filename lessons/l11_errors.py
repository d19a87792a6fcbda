"""Lesson 11 — Handling errors

Turning failures into answers a client can use: `HTTPException` with a `detail` and custom headers,
a domain exception (`RoomNotFound`) with its own handler that answers 404 JSON, the validation and
HTTP error handlers overridden to log and add a header while re-using FastAPI's default responses
from inside them, and an unexpected exception that answers a plain 500 without a stack trace.

Run:  uvicorn lessons.l11_errors:app --reload
Test: pytest tests/lessons/test_l11_errors.py
"""

import logging
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger("chat.errors")

app = FastAPI(
    title="Lesson 11 — Handling errors",
    description="Rooms that may not exist, a read-only room, and errors that never leak.",
)

ROOMS = {
    "general": {"topic": "Anything goes", "read_only": False, "messages": ["hi", "hello there"]},
    "announcements": {"topic": "News from the team", "read_only": True, "messages": []},
    "quiet": {"topic": "Nobody has posted yet", "read_only": False, "messages": []},
}


# --8<-- [start:custom]
class RoomNotFound(Exception):
    # A domain exception: the code that finds rooms knows nothing about HTTP.
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class RoomError(BaseModel):
    detail: str
    room: str


@app.exception_handler(RoomNotFound)
def room_not_found_handler(request: Request, exc: RoomNotFound) -> JSONResponse:
    body = RoomError(detail=f"No room named {exc.name!r}", room=exc.name)
    return JSONResponse(status_code=404, content=body.model_dump())


def find_room(name: str) -> dict[str, Any]:
    # Raising here ends the request: the endpoint's remaining lines never run.
    if name not in ROOMS:
        raise RoomNotFound(name)
    return ROOMS[name]


# Handlers change what is sent, not what is documented: `responses` puts the 404 in /docs.
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": RoomError, "description": "No such room"}
}


@app.get("/rooms/{name}", responses=NOT_FOUND)
def read_room(name: str) -> dict[str, str]:
    return {"name": name, "topic": find_room(name)["topic"]}


# --8<-- [end:custom]


# --8<-- [start:http_exception]
class NewMessage(BaseModel):
    text: Annotated[str, Field(min_length=1, max_length=500)]
    reply_to: int | None = None


READ_ONLY = {
    "description": "The room is read-only",
    "headers": {"X-Room-Mode": {"description": "Why posting failed", "schema": {"type": "string"}}},
}


@app.post("/rooms/{name}/messages", status_code=201, responses={**NOT_FOUND, 403: READ_ONLY})
def post_message(name: str, message: NewMessage) -> dict[str, str]:
    room = find_room(name)
    if room["read_only"]:
        raise HTTPException(
            status_code=403,
            detail=f"{name} is read-only: only moderators post here",
            # Headers go out with the error response: here, a hint a client can act on.
            headers={"X-Room-Mode": "read-only"},
        )
    return {"room": name, "text": message.text}


# --8<-- [end:http_exception]


# --8<-- [start:overrides]
@app.exception_handler(RequestValidationError)
async def log_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    logger.warning("invalid request to %s: %d error(s)", request.url.path, len(errors))
    # FastAPI's own handler builds the usual {"detail": [...]} 422; we only add to it.
    response = await request_validation_exception_handler(request, exc)
    response.headers["X-Error-Count"] = str(len(errors))
    return response


# Registered for Starlette's HTTPException, the base class, so it also sees the router's own
# 404 and 405, not only the HTTPExceptions our endpoints raise.
@app.exception_handler(StarletteHTTPException)
async def log_http_error(request: Request, exc: StarletteHTTPException) -> Response:
    logger.info("HTTP %d on %s: %s", exc.status_code, request.url.path, exc.detail)
    # The default keeps exc.headers (X-Room-Mode, Allow) and the JSON shape clients expect.
    return await http_exception_handler(request, exc)


# --8<-- [end:overrides]


# --8<-- [start:crash]
@app.get("/rooms/{name}/stats", responses=NOT_FOUND)
def room_stats(name: str) -> dict[str, int | float]:
    messages = find_room(name)["messages"]
    # A bug left in on purpose: a room without messages divides by zero. The client gets a
    # bare "Internal Server Error"; the traceback goes to the server's log, never the response.
    average = sum(len(text) for text in messages) / len(messages)
    return {"messages": len(messages), "average_length": average}


# --8<-- [end:crash]
