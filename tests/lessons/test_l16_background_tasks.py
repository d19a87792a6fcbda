"""Lesson 16: tasks queued by an endpoint and by a dependency run after the response is sent."""

import asyncio
import json
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.types import Message

from lessons.l16_background_tasks import Mailer, app, get_log_path, get_mailer

client = TestClient(app)


@pytest.fixture(autouse=True)
def log_path(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "logs" / "notifications.log"
    app.dependency_overrides[get_log_path] = lambda: path
    yield path
    app.dependency_overrides.clear()


def test_the_default_log_lives_in_the_temporary_folder() -> None:
    assert get_log_path() == Path(
        tempfile.gettempdir(), "fastapi-chat-lesson16", "notifications.log"
    )


def test_the_endpoint_queues_the_mail(log_path: Path) -> None:
    response = client.post("/rooms/7/invitations", json={"email": "ada@example.com"})
    assert response.status_code == 202
    assert response.json() == {"message": "Invitation to room 7 is on its way to ada@example.com"}
    # TestClient returns only once the background tasks have run, so the effect is already there.
    assert (
        log_path.read_text(encoding="utf-8")
        == "mail to ada@example.com: You are invited to room 7\n"
    )


def test_a_dependency_queues_a_task_too_and_it_runs_first(log_path: Path) -> None:
    response = client.post(
        "/rooms/7/invitations", params={"inviter": "grace"}, json={"email": "ada@example.com"}
    )
    assert response.status_code == 202
    assert response.json() == {
        "message": "Invitation to room 7 from grace is on its way to ada@example.com"
    }
    assert client.get("/notifications/log").json() == [
        "invitation sent by grace",
        "mail to ada@example.com: You are invited to room 7",
    ]


def test_the_log_starts_empty(log_path: Path) -> None:
    assert client.get("/notifications/log").json() == []
    assert not log_path.exists()


def test_a_bad_email_is_refused_and_queues_nothing(log_path: Path) -> None:
    response = client.post("/rooms/7/invitations", json={"email": "ada at example"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "string_pattern_mismatch",
                "loc": ["body", "email"],
                "msg": "String should match pattern '^[^@\\s]+@[^@\\s]+\\.[A-Za-z]{2,}$'",
                "input": "ada at example",
                "ctx": {"pattern": "^[^@\\s]+@[^@\\s]+\\.[A-Za-z]{2,}$"},
            }
        ]
    }
    assert not log_path.exists()


@pytest.mark.asyncio
async def test_the_response_is_sent_before_the_task_runs(log_path: Path) -> None:
    released = threading.Event()
    delivered = threading.Event()

    class SlowMailer(Mailer):
        def send(self, to: str, subject: str) -> None:
            # Like a slow mail server: blocks until the test has its whole response.
            if released.wait(timeout=10):
                super().send(to, subject)
            delivered.set()

    app.dependency_overrides[get_mailer] = lambda: SlowMailer(log_path)

    # TestClient would wait for the tasks, so speak ASGI to the app the way a server does,
    # and watch the messages it sends back.
    body = json.dumps({"email": "ada@example.com"}).encode()
    sent: asyncio.Queue[Message] = asyncio.Queue()
    requested = False
    never = asyncio.Event()

    async def receive() -> Message:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": body, "more_body": False}
        await never.wait()  # the client stays connected
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        await sent.put(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/rooms/7/invitations",
        "raw_path": b"/rooms/7/invitations",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    running = asyncio.create_task(app(scope, receive, send))
    try:
        start = await asyncio.wait_for(sent.get(), timeout=5)
        assert start["type"] == "http.response.start"
        assert start["status"] == 202
        end = await asyncio.wait_for(sent.get(), timeout=5)
        assert end["type"] == "http.response.body"
        assert end.get("more_body", False) is False  # the response is complete...
        assert json.loads(end["body"]) == {
            "message": "Invitation to room 7 is on its way to ada@example.com"
        }
        assert not delivered.is_set()  # ...and the mail has not gone yet
        assert not running.done()
    finally:
        released.set()
    # The app's call ends once its tasks have run: wait for that, with a bound.
    await asyncio.wait_for(running, timeout=5)
    assert delivered.is_set()
    written = await asyncio.to_thread(log_path.read_text, encoding="utf-8")
    assert written == "mail to ada@example.com: You are invited to room 7\n"


def test_openapi_shows_202_and_the_optional_inviter() -> None:
    schema = client.get("/openapi.json").json()
    assert schema["info"]["title"] == "Lesson 16 — Background tasks"
    operation = schema["paths"]["/rooms/{room_id}/invitations"]["post"]
    assert list(operation["responses"]) == ["202", "422"]
    # The dependency's query parameter is part of the endpoint's contract.
    assert [(p["name"], p["in"], p["required"]) for p in operation["parameters"]] == [
        ("room_id", "path", True),
        ("inviter", "query", False),
    ]
