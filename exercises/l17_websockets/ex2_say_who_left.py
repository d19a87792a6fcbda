"""Exercise 17.2 — Say who left

Everyone in the room hears who joins and what is said, but not who leaves: when a socket closes,
its handler just removes it.

Your task: in the `except WebSocketDisconnect:` block, after removing the socket, broadcast
`"<name> left"` to the others.

Check: uv run python -m lessons check 17
"""

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI(title="Exercise 17.2 — Say who left")


class ConnectionManager:
    def __init__(self) -> None:
        self.sockets: list[WebSocket] = []

    async def connect(self, websocket: WebSocket) -> None:
        await websocket.accept()
        self.sockets.append(websocket)

    def disconnect(self, websocket: WebSocket) -> None:
        self.sockets.remove(websocket)

    async def broadcast(self, text: str) -> None:
        for socket in list(self.sockets):
            await socket.send_text(text)


manager = ConnectionManager()


@app.websocket("/ws/{name}")
async def room_socket(websocket: WebSocket, name: str) -> None:
    await manager.connect(websocket)
    await manager.broadcast(f"{name} joined")
    try:
        while True:
            await manager.broadcast(f"{name}: {await websocket.receive_text()}")
    except WebSocketDisconnect:
        manager.disconnect(websocket)
        # TODO(exercise): tell the others that `name` left.
