"""Lesson 15 — Middleware

Code that wraps every request: an `@app.middleware("http")` function that times each request in
`X-Process-Time`, another that gives each request an id (a valid incoming `X-Request-ID` is kept,
a missing or malformed one is replaced), a pure ASGI middleware that sees WebSocket connections the
HTTP kind never sees, and Starlette's `CORSMiddleware`, `GZipMiddleware` and
`TrustedHostMiddleware`, stacked in an order that matters.

Run:  uvicorn lessons.l15_middleware:app --reload   (then open http://127.0.0.1:8000/docs)
Test: pytest tests/lessons/test_l15_middleware.py
"""

import re
import time
import uuid
from collections import Counter
from typing import Annotated

from fastapi import FastAPI, Query, Request, Response, WebSocket, WebSocketDisconnect
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.middleware.trustedhost import TrustedHostMiddleware
from pydantic import BaseModel, Field
from starlette.middleware.base import RequestResponseEndpoint
from starlette.types import ASGIApp, Receive, Scope, Send

app = FastAPI(
    title="Lesson 15 — Middleware",
    description="Timing, request ids, CORS, compression and trusted hosts around a chat API.",
)


# --8<-- [start:endpoints]
class Message(BaseModel):
    room_id: int
    seq: int
    author: str
    text: str


class NewMessage(BaseModel):
    text: Annotated[str, Field(min_length=1, max_length=500)]


@app.get("/rooms/{room_id}/messages")
def read_history(room_id: int, limit: Annotated[int, Query(ge=1, le=200)] = 50) -> list[Message]:
    # A made-up history, long enough at the default limit for GZipMiddleware to compress it.
    return [
        Message(room_id=room_id, seq=seq, author="ada", text=f"message number {seq} in the room")
        for seq in range(1, limit + 1)
    ]


@app.post("/rooms/{room_id}/messages", status_code=201)
def post_message(room_id: int, message: NewMessage, request: Request) -> dict[str, int | str]:
    # The id the middleware chose is on request.state: log it next to anything that goes wrong.
    return {"room_id": room_id, "text": message.text, "request_id": request.state.request_id}


# --8<-- [end:endpoints]


# --8<-- [start:http]
# GZip goes on first, so it sits inside the two functions below. BaseHTTPMiddleware passes every
# body on as a stream of chunks; a GZip outside it cannot tell a small body, and compresses all.
app.add_middleware(GZipMiddleware, minimum_size=1000)


@app.middleware("http")
async def add_process_time(request: Request, call_next: RequestResponseEndpoint) -> Response:
    start = time.perf_counter()
    response = await call_next(request)
    response.headers["X-Process-Time"] = f"{time.perf_counter() - start:.6f}"
    return response


# Letters, digits and . _ - only: such an id is safe to copy into a log line or a header.
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


@app.middleware("http")
async def add_request_id(request: Request, call_next: RequestResponseEndpoint) -> Response:
    incoming = request.headers.get("X-Request-ID", "")
    # Keep a proxy's id so its logs and ours line up; never echo anything else a client sent.
    request_id = incoming if REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
    request.state.request_id = request_id
    response = await call_next(request)
    response.headers["X-Request-ID"] = request_id
    return response


# --8<-- [end:http]


# --8<-- [start:asgi]
class ConnectionCounter:
    """Counts every connection by its scope type: "http", "websocket" (and "lifespan")."""

    def __init__(self, app: ASGIApp, counts: Counter[str]) -> None:
        self.app = app
        self.counts = counts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # A pure ASGI middleware is called for every scope, so it sees WebSocket connections,
        # and it could wrap `receive` and `send` to watch each frame or streamed chunk go by.
        self.counts[scope["type"]] += 1
        await self.app(scope, receive, send)


CONNECTIONS: Counter[str] = Counter()


@app.get("/stats/connections")
def connection_stats() -> dict[str, int]:
    return {kind: CONNECTIONS[kind] for kind in ("http", "websocket")}


@app.websocket("/ws/echo")
async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        while True:
            text = await websocket.receive_text()
            # No HTTP middleware ran for this socket, so there is no request id on its state.
            request_id = getattr(websocket.state, "request_id", None)
            await websocket.send_json({"echo": text, "request_id": request_id})
    except WebSocketDisconnect:
        pass


# --8<-- [end:asgi]


# --8<-- [start:stack]
# Each add_middleware wraps everything added before it: the last one added runs first.
app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://chat.example.com"],
    allow_methods=["GET", "POST"],
    allow_headers=["Content-Type", "X-Request-ID"],
    # Without this a page's script cannot read these headers, even on an allowed origin.
    expose_headers=["X-Request-ID", "X-Process-Time"],
)
# "testserver" is the host TestClient sends; a deployment lists only its own names.
app.add_middleware(
    TrustedHostMiddleware,
    allowed_hosts=["chat.example.com", "localhost", "127.0.0.1", "testserver"],
)
app.add_middleware(ConnectionCounter, counts=CONNECTIONS)
# --8<-- [end:stack]
