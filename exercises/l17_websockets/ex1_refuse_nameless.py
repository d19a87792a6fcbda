"""Exercise 17.1 — No name, no socket

`/ws/rooms/{room}` greets whoever connects by the `name` in the query string, and accepts a
connection without one, greeting "None".

Your task: take the name as `name: Annotated[str | None, Query(max_length=30)] = None` and, when
it is missing, refuse the handshake before accepting, with
`raise WebSocketException(code=status.WS_1008_POLICY_VIOLATION)` (import `WebSocketException`
and `status` from `fastapi`). The client then sees the socket closed with code 1008.

Check: uv run python -m lessons check 17
"""

from typing import Annotated

from fastapi import FastAPI, Query, WebSocket, WebSocketDisconnect

app = FastAPI(title="Exercise 17.1 — No name, no socket")


@app.websocket("/ws/rooms/{room}")
async def room_socket(
    websocket: WebSocket, room: str, name: Annotated[str | None, Query(max_length=30)] = None
) -> None:
    # TODO(exercise): refuse the handshake (1008) when there is no name.
    await websocket.accept()
    await websocket.send_text(f"welcome to {room}, {name}")
    try:
        while True:
            await websocket.send_text(f"{name}: {await websocket.receive_text()}")
    except WebSocketDisconnect:
        pass
