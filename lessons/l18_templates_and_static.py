"""Lesson 18 — Templates and static files

The chat page of FastAPI's WebSocket docs, served properly: a Jinja2 template rendered with
Starlette 1.x's `TemplateResponse(request, name, context)`, its script and stylesheet served by
`StaticFiles`, every address built with `url_for`, and a script that derives the socket's URL from
`location` and shows each message with `textContent`, so markup typed by another member stays text.

Run:  uvicorn lessons.l18_templates_and_static:app --reload   (then open http://127.0.0.1:8000/)
Test: pytest tests/lessons/test_l18_templates_and_static.py
"""

import itertools
from pathlib import Path
from typing import Annotated

from fastapi import FastAPI, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.websockets import WebSocketDisconnected

app = FastAPI(
    title="Lesson 18 — Templates and static files",
    description="The chat page: a Jinja2 template, static JS and CSS, and one WebSocket.",
)

# --8<-- [start:setup]
# Found from this file, not from the current directory: the lesson runs from anywhere.
HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "l18_templates")
# name="static" is what url_for("static", path=...) looks up in the template.
app.mount("/static", StaticFiles(directory=HERE / "l18_static"), name="static")
# --8<-- [end:setup]


# --8<-- [start:page]
client_ids = itertools.count(1)


@app.get("/", response_class=HTMLResponse)
def chat_page(
    request: Request, nickname: Annotated[str, Query(max_length=32)] = "guest"
) -> HTMLResponse:
    # Starlette 1.x: the request comes first and is no longer put into the context by hand.
    return templates.TemplateResponse(
        request,
        "index.html",
        {"title": "FastAPI + WebSocket Chat", "nickname": nickname, "client_id": next(client_ids)},
    )


# --8<-- [end:page]


# --8<-- [start:socket]
class ConnectionManager:
    """Lesson 17's manager, trimmed: this lesson is about the page that talks to it."""

    def __init__(self) -> None:
        self.active_connections: list[WebSocket] = []

    async def connect(self, websocket: WebSocket) -> None:
        await websocket.accept()
        self.active_connections.append(websocket)

    def disconnect(self, websocket: WebSocket) -> None:
        if websocket in self.active_connections:
            self.active_connections.remove(websocket)

    async def broadcast(self, message: str) -> None:
        for connection in list(self.active_connections):
            try:
                await connection.send_text(message)
            except (WebSocketDisconnect, WebSocketDisconnected):
                self.disconnect(connection)


manager = ConnectionManager()


@app.websocket("/ws/{client_id}", name="chat_socket")
async def chat_socket(websocket: WebSocket, client_id: int) -> None:
    await manager.connect(websocket)
    try:
        while True:
            text = await websocket.receive_text()
            # Sent as it came: the page, not the server, decides that text is shown as text.
            await manager.broadcast(f"Client #{client_id}: {text}")
    except WebSocketDisconnect:
        manager.disconnect(websocket)
        await manager.broadcast(f"Client #{client_id} left the chat")


# --8<-- [end:socket]
