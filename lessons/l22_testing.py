"""Lesson 22 — Testing

A small chat app written to be tested: a token dependency and an injected clock that tests
replace with `dependency_overrides`, a room WebSocket driven in tests with `websocket_connect`, a
hub made by the `lifespan`, and the same endpoints exercised by an async test over
`httpx2.AsyncClient` and `ASGITransport`. The lesson is its test file as much as its app.

Run:  uvicorn lessons.l22_testing:app --reload   (then open http://127.0.0.1:8000/docs)
Test: pytest tests/lessons/test_l22_testing.py
"""

from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated

from fastapi import (
    Depends,
    FastAPI,
    Header,
    HTTPException,
    Query,
    WebSocket,
    WebSocketDisconnect,
    WebSocketException,
    status,
)
from pydantic import BaseModel, Field, ValidationError
from starlette.requests import HTTPConnection


# --8<-- [start:dependencies]
class User(BaseModel):
    name: str


# A stand-in for a user store; lesson 14 issues real tokens.
TOKENS = {"ada-token": User(name="ada"), "linus-token": User(name="linus")}


def get_current_user(authorization: Annotated[str | None, Header()] = None) -> User:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or token not in TOKENS:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="Not authenticated",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return TOKENS[token]


def get_socket_user(token: Annotated[str | None, Query()] = None) -> User:
    # Browsers cannot set headers on a WebSocket, so the token comes in the query string.
    if token not in TOKENS:
        raise WebSocketException(status.WS_1008_POLICY_VIOLATION, reason="Unknown token")
    return TOKENS[token]


def get_clock() -> Callable[[], datetime]:
    # Injected rather than called directly, so a test can freeze time.
    return lambda: datetime.now(UTC)


CurrentUser = Annotated[User, Depends(get_current_user)]
SocketUser = Annotated[User, Depends(get_socket_user)]
Clock = Annotated[Callable[[], datetime], Depends(get_clock)]
# --8<-- [end:dependencies]


# --8<-- [start:hub]
class NewMessage(BaseModel):
    text: Annotated[str, Field(min_length=1, max_length=500)]


class Message(BaseModel):
    room: str
    author: str
    text: str
    sent_at: datetime


class Hub:
    """The room's sockets and history: one per process, made by the lifespan."""

    def __init__(self) -> None:
        self.sockets: defaultdict[str, set[WebSocket]] = defaultdict(set)
        self.history: list[Message] = []
        self.closed = False

    async def publish(self, message: Message) -> None:
        self.history.append(message)
        frame = {"type": "message", **message.model_dump(mode="json")}
        for socket in list(self.sockets[message.room]):
            await socket.send_json(frame)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # On app.state (not the lifespan state) so that a bare ASGI client can reach it too.
    hub = app.state.hub = Hub()
    try:
        yield
    finally:
        hub.closed = True
        del app.state.hub  # app.state outlives the lifespan: leave nothing stale behind


app = FastAPI(
    title="Lesson 22 — Testing",
    description="A chat app and the techniques to test it.",
    lifespan=lifespan,
)


def get_hub(connection: HTTPConnection) -> Hub:
    # HTTPConnection, the common base of Request and WebSocket: one dependency serves both.
    return connection.app.state.hub


HubDep = Annotated[Hub, Depends(get_hub)]
# --8<-- [end:hub]


# --8<-- [start:http]
@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/rooms/{room}/messages", status_code=201)
async def post_message(
    room: str, new: NewMessage, user: CurrentUser, clock: Clock, hub: HubDep
) -> Message:
    message = Message(room=room, author=user.name, text=new.text, sent_at=clock())
    await hub.publish(message)
    return message


@app.get("/rooms/{room}/messages")
def read_messages(room: str, hub: HubDep) -> list[Message]:
    return [message for message in hub.history if message.room == room]


# --8<-- [end:http]


# --8<-- [start:socket]
@app.websocket("/ws/{room}")
async def room_socket(
    websocket: WebSocket, room: str, user: SocketUser, clock: Clock, hub: HubDep
) -> None:
    await websocket.accept()
    hub.sockets[room].add(websocket)
    # Sent after joining: a client (or a test) that has read it knows it will get the broadcasts.
    await websocket.send_json(
        {"type": "joined", "user": user.name, "members": len(hub.sockets[room])}
    )
    try:
        while True:
            try:
                new = NewMessage.model_validate_json(await websocket.receive_text())
            except ValidationError as error:
                await websocket.send_json({"type": "error", "detail": error.errors()[0]["msg"]})
                continue
            await hub.publish(Message(room=room, author=user.name, text=new.text, sent_at=clock()))
    except WebSocketDisconnect:
        pass
    finally:
        hub.sockets[room].discard(websocket)


# --8<-- [end:socket]
