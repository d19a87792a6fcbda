"""Lesson 17: an echo socket, rooms with a refused handshake, and the docs' ConnectionManager."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect, WebSocketDisconnected
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from lessons.l17_websockets import ConnectionManager, app, rooms
from tests.live import live_server


@pytest.fixture
def client() -> Iterator[TestClient]:
    # As a context manager, TestClient runs every socket of a test on one event loop. Without it
    # each socket gets its own loop in its own thread, and a broadcast from one socket's handler
    # to another socket crosses threads: it can hang.
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def empty_rooms() -> Iterator[None]:
    rooms.clear()
    yield
    rooms.clear()


def test_echo(client: TestClient) -> None:
    with client.websocket_connect("/ws/echo") as websocket:
        websocket.send_text("hello")
        assert websocket.receive_text() == "Message text was: hello"
        websocket.send_text("again")
        assert websocket.receive_text() == "Message text was: again"


def test_two_members_chat_and_one_leaves(client: TestClient) -> None:
    with client.websocket_connect("/ws/rooms/general?token=ada-token") as ada:
        assert ada.receive_text() == "ada joined the chat"
        with client.websocket_connect("/ws/rooms/general?token=grace-token") as grace:
            assert grace.receive_text() == "grace joined the chat"
            assert ada.receive_text() == "grace joined the chat"
            assert client.get("/rooms/general/online").json() == {"room": "general", "online": 2}

            ada.send_text("hi grace")
            # The personal message goes to the sender only, then the broadcast to everyone.
            assert ada.receive_text() == "You wrote: hi grace"
            assert ada.receive_text() == "ada says: hi grace"
            assert grace.receive_text() == "ada says: hi grace"

            grace.send_text("hi ada")
            assert grace.receive_text() == "You wrote: hi ada"
            assert grace.receive_text() == "grace says: hi ada"
            assert ada.receive_text() == "grace says: hi ada"
        # Leaving the block closed grace's socket: her handler caught WebSocketDisconnect.
        assert ada.receive_text() == "grace left the chat"
        assert client.get("/rooms/general/online").json() == {"room": "general", "online": 1}
        ada.send_text("still here")
        assert ada.receive_text() == "You wrote: still here"
        assert ada.receive_text() == "ada says: still here"


def test_rooms_are_separate(client: TestClient) -> None:
    with client.websocket_connect("/ws/rooms/general?token=ada-token") as ada:
        assert ada.receive_text() == "ada joined the chat"
        with client.websocket_connect("/ws/rooms/random?token=linus-token") as linus:
            assert linus.receive_text() == "linus joined the chat"
            linus.send_text("anyone?")
            assert linus.receive_text() == "You wrote: anyone?"
            assert linus.receive_text() == "linus says: anyone?"
            ada.send_text("ping")
            # ada's next frame is her own: nothing from the other room came in between.
            assert ada.receive_text() == "You wrote: ping"
    assert client.get("/rooms/random/online").json() == {"room": "random", "online": 0}
    assert client.get("/rooms/nowhere/online").json() == {"room": "nowhere", "online": 0}


@pytest.mark.parametrize("query", ["", "?token=", "?token=mallory-token"])
def test_a_missing_or_unknown_token_is_refused_with_1008(client: TestClient, query: str) -> None:
    with pytest.raises(WebSocketDisconnect) as refused:
        with client.websocket_connect(f"/ws/rooms/general{query}"):
            pass
    assert refused.value.code == 1008
    assert refused.value.reason == "missing or unknown token"
    assert client.get("/rooms/general/online").json() == {"room": "general", "online": 0}


def test_a_bad_room_name_is_refused_with_1008_and_the_validation_errors(client: TestClient) -> None:
    with pytest.raises(WebSocketDisconnect) as refused:
        with client.websocket_connect("/ws/rooms/General!?token=ada-token"):
            pass
    assert refused.value.code == 1008
    assert refused.value.reason == [
        {
            "type": "string_pattern_mismatch",
            "loc": ["path", "room"],
            "msg": "String should match pattern '^[a-z0-9-]{1,32}$'",
            "input": "General!",
            "ctx": {"pattern": "^[a-z0-9-]{1,32}$"},
        }
    ]


def test_online_rejects_a_bad_room_name_with_422(client: TestClient) -> None:
    response = client.get("/rooms/General!/online")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "string_pattern_mismatch",
                "loc": ["path", "room"],
                "msg": "String should match pattern '^[a-z0-9-]{1,32}$'",
                "input": "General!",
                "ctx": {"pattern": "^[a-z0-9-]{1,32}$"},
            }
        ]
    }


class VanishedPeer:
    """A socket whose client went away: sending to it raises, as Starlette's WebSocket does."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.attempts = 0

    async def send_text(self, message: str) -> None:
        self.attempts += 1
        raise self.error


@pytest.mark.parametrize(
    "error",
    [
        WebSocketDisconnect(code=1006),  # the network connection is gone
        WebSocketDisconnected('Cannot call "send" once a close message has been sent.'),
    ],
    ids=["vanished", "already-closed"],
)
def test_a_failed_send_to_one_peer_does_not_drop_the_sender(
    client: TestClient, error: Exception
) -> None:
    with client.websocket_connect("/ws/rooms/general?token=ada-token") as ada:
        assert ada.receive_text() == "ada joined the chat"
        with client.websocket_connect("/ws/rooms/general?token=grace-token") as grace:
            assert grace.receive_text() == "grace joined the chat"
            assert ada.receive_text() == "grace joined the chat"
            # A third member whose socket just died sits between ada and grace.
            peer = VanishedPeer(error)
            rooms["general"].active_connections.insert(1, peer)  # type: ignore[arg-type]

            ada.send_text("hello")
            assert ada.receive_text() == "You wrote: hello"
            assert ada.receive_text() == "ada says: hello"
            assert grace.receive_text() == "ada says: hello"  # those after the dead peer too
            assert peer.attempts == 1
            assert client.get("/rooms/general/online").json() == {"room": "general", "online": 2}

            # The sender is still connected and still heard.
            ada.send_text("still here")
            assert ada.receive_text() == "You wrote: still here"
            assert ada.receive_text() == "ada says: still here"
            assert grace.receive_text() == "ada says: still here"
            assert peer.attempts == 1  # dropped, never tried again


@pytest.mark.asyncio
async def test_the_docs_broadcast_would_raise_into_the_sender() -> None:
    # The same dead peer under the docs' loop: the error escapes broadcast(), so it lands in
    # the *sender's* handler, whose `except WebSocketDisconnect` would drop the sender.
    class DocsManager(ConnectionManager):
        async def broadcast(self, message: str) -> None:
            for connection in self.active_connections:
                await connection.send_text(message)

    docs_manager, ours = DocsManager(), ConnectionManager()
    for manager in (docs_manager, ours):
        manager.active_connections.append(VanishedPeer(WebSocketDisconnect(code=1006)))  # type: ignore[arg-type]
    with pytest.raises(WebSocketDisconnect):
        await docs_manager.broadcast("hello")
    await ours.broadcast("hello")
    assert ours.active_connections == []


def test_openapi_has_the_http_route_but_no_sockets(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert schema["info"]["title"] == "Lesson 17 — WebSockets"
    # OpenAPI describes HTTP only: the sockets must be documented by hand.
    assert list(schema["paths"]) == ["/rooms/{room}/online"]


@pytest.mark.server
def test_under_uvicorn_a_refused_handshake_is_an_http_403() -> None:
    # The 1008 above is what the app said. A real server refuses a handshake that was never
    # accepted with an HTTP status, so a real client never sees the code or the reason.
    with live_server("lessons.l17_websockets:app") as server:
        with pytest.raises(InvalidStatus) as refused:
            with connect(f"{server.ws_url}/ws/rooms/general?token=mallory-token", open_timeout=5):
                pass
        assert refused.value.response.status_code == 403
        with connect(f"{server.ws_url}/ws/rooms/general?token=ada-token", open_timeout=5) as ada:
            assert ada.recv(timeout=5) == "ada joined the chat"
            ada.send("hi")
            assert ada.recv(timeout=5) == "You wrote: hi"
            assert ada.recv(timeout=5) == "ada says: hi"
