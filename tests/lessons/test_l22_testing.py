"""Lesson 22: the techniques for testing a FastAPI app, each shown on the lesson's chat app.

- `TestClient` as a context manager, so the lifespan runs;
- `app.dependency_overrides` to replace authentication and the clock;
- `websocket_connect` to drive a WebSocket;
- an async test (pytest-asyncio, strict mode) with `httpx2.AsyncClient` over `ASGITransport`.
"""

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import httpx2
import pytest
import pytest_asyncio
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from lessons.l22_testing import User, app, get_clock, get_current_user

NOON = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
ADA = {"Authorization": "Bearer ada-token"}


# --8<-- [start:fixtures]
@pytest.fixture
def client() -> Iterator[TestClient]:
    # `with` runs the lifespan: the hub exists inside the block and is closed after it.
    with TestClient(app) as client:
        yield client


@pytest.fixture
def frozen_clock() -> Iterator[datetime]:
    app.dependency_overrides[get_clock] = lambda: lambda: NOON
    yield NOON
    # Overrides live on the app object, shared by every test: always remove them.
    app.dependency_overrides.clear()


# --8<-- [end:fixtures]


def test_health(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}


# --8<-- [start:overrides]
def test_post_with_a_frozen_clock(client: TestClient, frozen_clock: datetime) -> None:
    response = client.post("/rooms/general/messages", headers=ADA, json={"text": "hi"})
    assert response.status_code == 201
    assert response.json() == {
        "room": "general",
        "author": "ada",
        "text": "hi",
        "sent_at": "2026-01-01T12:00:00Z",
    }


def test_override_the_current_user(client: TestClient, frozen_clock: datetime) -> None:
    # No token at all: the dependency that reads it is replaced.
    app.dependency_overrides[get_current_user] = lambda: User(name="test-bot")
    response = client.post("/rooms/general/messages", json={"text": "beep"})
    assert response.status_code == 201
    assert response.json()["author"] == "test-bot"


# --8<-- [end:overrides]


def test_the_real_authentication_refuses_a_bad_token(client: TestClient) -> None:
    for headers in ({}, {"Authorization": "Bearer guess"}, {"Authorization": "ada-token"}):
        response = client.post("/rooms/general/messages", headers=headers, json={"text": "hi"})
        assert response.status_code == 401
        assert response.json() == {"detail": "Not authenticated"}
        assert response.headers["www-authenticate"] == "Bearer"


def test_message_body_is_validated(client: TestClient) -> None:
    response = client.post("/rooms/general/messages", headers=ADA, json={"text": ""})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "string_too_short",
                "loc": ["body", "text"],
                "msg": "String should have at least 1 character",
                "input": "",
                "ctx": {"min_length": 1},
            }
        ]
    }


def test_history_is_per_room(client: TestClient, frozen_clock: datetime) -> None:
    client.post("/rooms/general/messages", headers=ADA, json={"text": "one"})
    client.post("/rooms/random/messages", headers=ADA, json={"text": "two"})
    assert [m["text"] for m in client.get("/rooms/general/messages").json()] == ["one"]
    assert client.get("/rooms/empty/messages").json() == []


# --8<-- [start:websocket]
def test_socket_broadcasts_to_the_room(client: TestClient, frozen_clock: datetime) -> None:
    with client.websocket_connect("/ws/general?token=ada-token") as ada:
        assert ada.receive_json() == {"type": "joined", "user": "ada", "members": 1}
        with client.websocket_connect("/ws/general?token=linus-token") as linus:
            # Reading "joined" is the event that says linus is registered: no sleep needed.
            assert linus.receive_json() == {"type": "joined", "user": "linus", "members": 2}
            ada.send_json({"text": "hello"})
            expected = {
                "type": "message",
                "room": "general",
                "author": "ada",
                "text": "hello",
                "sent_at": "2026-01-01T12:00:00Z",
            }
            assert ada.receive_json() == expected
            assert linus.receive_json() == expected


def test_http_posts_reach_the_socket(client: TestClient, frozen_clock: datetime) -> None:
    with client.websocket_connect("/ws/general?token=linus-token") as linus:
        linus.receive_json()
        client.post("/rooms/general/messages", headers=ADA, json={"text": "from HTTP"})
        assert linus.receive_json()["text"] == "from HTTP"


def test_socket_answers_bad_frames_with_an_error_frame(client: TestClient) -> None:
    with client.websocket_connect("/ws/general?token=ada-token") as ada:
        ada.receive_json()
        ada.send_json({"text": ""})
        assert ada.receive_json() == {
            "type": "error",
            "detail": "String should have at least 1 character",
        }
        ada.send_text("not json")
        assert ada.receive_json()["type"] == "error"
        # The socket is still usable after an error frame.
        ada.send_json({"text": "ok"})
        assert ada.receive_json()["text"] == "ok"


def test_socket_refuses_an_unknown_token(client: TestClient) -> None:
    with pytest.raises(WebSocketDisconnect) as refused:
        with client.websocket_connect("/ws/general?token=guess"):
            pass
    assert refused.value.code == 1008
    assert refused.value.reason == "Unknown token"


# --8<-- [end:websocket]


# --8<-- [start:lifespan]
def test_lifespan_makes_the_hub_and_closes_it() -> None:
    with TestClient(app) as client:
        hub = app.state.hub
        assert hub.closed is False
        client.post("/rooms/general/messages", headers=ADA, json={"text": "hi"})
        assert len(hub.history) == 1
    assert hub.closed is True
    assert not hasattr(app.state, "hub")
    with TestClient(app):
        assert app.state.hub is not hub  # every start-up is a fresh hub: tests do not leak


def test_without_with_the_lifespan_does_not_run() -> None:
    client = TestClient(app)
    assert client.get("/health").status_code == 200  # needs nothing from the lifespan
    with pytest.raises(AttributeError, match="hub"):
        client.get("/rooms/general/messages")


# --8<-- [end:lifespan]


# --8<-- [start:async]
@pytest_asyncio.fixture
async def async_client() -> AsyncIterator[httpx2.AsyncClient]:
    # ASGITransport sends requests straight to the app, but runs no lifespan: enter it ourselves.
    async with app.router.lifespan_context(app):
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://chat.test") as client:
            yield client


@pytest.mark.asyncio
async def test_async_client(async_client: httpx2.AsyncClient, frozen_clock: datetime) -> None:
    response = await async_client.post("/rooms/general/messages", headers=ADA, json={"text": "hi"})
    assert response.status_code == 201
    assert response.json()["sent_at"] == "2026-01-01T12:00:00Z"


@pytest.mark.asyncio
async def test_concurrent_requests(async_client: httpx2.AsyncClient) -> None:
    # The reason to write a test async: await several requests at once, on one event loop.
    posts = [
        async_client.post("/rooms/busy/messages", headers=ADA, json={"text": str(n)})
        for n in range(20)
    ]
    responses = await asyncio.wait_for(asyncio.gather(*posts), timeout=10)
    assert {response.status_code for response in responses} == {201}
    history = (await async_client.get("/rooms/busy/messages")).json()
    assert sorted(int(message["text"]) for message in history) == list(range(20))


# --8<-- [end:async]
