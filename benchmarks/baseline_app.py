"""The baseline for the fan-out benchmark: lesson 17's `ConnectionManager` behind one socket.

Every text a client sends is broadcast, as it is, to every connected client with the manager's
sequential `await send_text` loop: the seeds' design, which the capstone's hub must not be slower
than per delivery.
"""

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

from lessons.l17_websockets import ConnectionManager

app = FastAPI(title="fan-out baseline")
manager = ConnectionManager()


@app.websocket("/ws")
async def room(websocket: WebSocket) -> None:
    await manager.connect(websocket)
    try:
        while True:
            await manager.broadcast(await websocket.receive_text())
    except WebSocketDisconnect:
        manager.disconnect(websocket)
