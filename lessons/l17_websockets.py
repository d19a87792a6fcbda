"""Lesson 17 — WebSockets

Two-way connections: an echo socket; a room socket with a path parameter, a query parameter and a
dependency that refuses the handshake with close code 1008 when the token is missing or unknown;
and the `ConnectionManager` of FastAPI's WebSocket docs and many tutorials (connect, disconnect,
personal message, broadcast, "left the chat") with its broadcast made safe against a peer that
vanishes mid-send — and the limits of this one-process design, which the capstone lifts.

Run:  uvicorn lessons.l17_websockets:app --reload   (then: python -m websockets ws://127.0.0.1:8000/ws/echo)
Test: pytest tests/lessons/test_l17_websockets.py
"""

from collections import defaultdict
from typing import Annotated

from fastapi import (
    Depends,
    FastAPI,
    Path,
    WebSocket,
    WebSocketDisconnect,
    WebSocketException,
    status,
)
from starlette.websockets import WebSocketDisconnected

app = FastAPI(
    title="Lesson 17 — WebSockets",
    description="An echo socket and chat rooms on WebSockets, in one process.",
)


# --8<-- [start:echo]
@app.websocket("/ws/echo")
async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        while True:
            text = await websocket.receive_text()
            await websocket.send_text(f"Message text was: {text}")
    except WebSocketDisconnect:
        pass  # the client closed: nothing to clean up, just let the handler end


# --8<-- [end:echo]


# --8<-- [start:manager]
class ConnectionManager:
    """The sockets of one room, kept in this process's memory."""

    def __init__(self) -> None:
        self.active_connections: list[WebSocket] = []

    async def connect(self, websocket: WebSocket) -> None:
        await websocket.accept()
        self.active_connections.append(websocket)

    def disconnect(self, websocket: WebSocket) -> None:
        if websocket in self.active_connections:
            self.active_connections.remove(websocket)

    async def send_personal_message(self, message: str, websocket: WebSocket) -> None:
        await websocket.send_text(message)

    async def broadcast(self, message: str) -> None:
        # One socket after the other: a reader that stops reading stalls this loop, and everyone
        # after it, until its buffers drain. Iterate over a copy: we may remove as we go.
        for connection in list(self.active_connections):
            try:
                await connection.send_text(message)
            except (WebSocketDisconnect, WebSocketDisconnected):
                # That peer is gone. Drop *it*: the docs' version lets this escape into the sender's
                # handler, whose `except WebSocketDisconnect` then dropped the sender instead.
                self.disconnect(connection)


rooms: defaultdict[str, ConnectionManager] = defaultdict(ConnectionManager)
# --8<-- [end:manager]


# --8<-- [start:auth]
# Stand-ins for real tokens (lesson 14 issues JWTs). A token in a URL ends up in access logs;
# the capstone authenticates the handshake with a cookie or a short-lived ticket instead.
TOKENS = {"ada-token": "ada", "grace-token": "grace", "linus-token": "linus"}


def get_member(token: str | None = None) -> str:
    # Runs before the handshake is accepted: raising here refuses the socket with close code 1008.
    member = TOKENS.get(token or "")
    if member is None:
        raise WebSocketException(
            code=status.WS_1008_POLICY_VIOLATION, reason="missing or unknown token"
        )
    return member


Member = Annotated[str, Depends(get_member)]
RoomName = Annotated[str, Path(pattern=r"^[a-z0-9-]{1,32}$")]
# --8<-- [end:auth]


# --8<-- [start:room]
@app.websocket("/ws/rooms/{room}")
async def room_socket(websocket: WebSocket, room: RoomName, member: Member) -> None:
    manager = rooms[room]
    await manager.connect(websocket)
    await manager.broadcast(f"{member} joined the chat")
    try:
        while True:
            text = await websocket.receive_text()
            await manager.send_personal_message(f"You wrote: {text}", websocket)
            await manager.broadcast(f"{member} says: {text}")
    except WebSocketDisconnect:
        # This client closed (or vanished while we wrote to it): forget it, tell the others.
        manager.disconnect(websocket)
        await manager.broadcast(f"{member} left the chat")


@app.get("/rooms/{room}/online")
def online(room: RoomName) -> dict[str, str | int]:
    manager = rooms.get(room)
    return {"room": room, "online": len(manager.active_connections) if manager else 0}


# --8<-- [end:room]
