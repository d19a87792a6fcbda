"""Lesson 23: a text stream, JSON Lines two ways, and server-sent events read incrementally."""

import json
from collections.abc import Iterator

import fastapi.routing
import pytest
from fastapi.testclient import TestClient

from lessons.l23_streaming_and_sse import app

SEEDED = [
    {"author": "ada", "text": "hello", "id": 1, "room": "general"},
    {"author": "linus", "text": "hi ada", "id": 2, "room": "general"},
    {"author": "ada", "text": "how are you?", "id": 3, "room": "general"},
]


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


def read_events(lines: Iterator[str], count: int) -> list[dict[str, str]]:
    """Read `count` events (blocks of `field: value` lines ended by a blank line) and stop."""
    events: list[dict[str, str]] = []
    event: dict[str, str] = {}
    for line in lines:
        if line == "":
            events.append(event)
            event = {}
            if len(events) == count:
                return events
        else:
            field, _, value = line.partition(": ")
            event[field] = value
    raise AssertionError(f"the stream ended after {len(events)} events")


def test_post_message(client: TestClient) -> None:
    response = client.post("/rooms/general/messages", json={"author": "bob", "text": "hey"})
    assert response.status_code == 201
    assert response.json() == {"author": "bob", "text": "hey", "id": 4, "room": "general"}
    invalid = client.post("/rooms/general/messages", json={"author": "bob", "text": ""})
    assert invalid.status_code == 422
    assert invalid.json() == {
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


def test_transcript_streams_plain_text(client: TestClient) -> None:
    with client.stream("GET", "/rooms/general/transcript") as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/plain; charset=utf-8"
        assert "content-length" not in response.headers  # the size is not known in advance
        lines = response.iter_lines()
        assert next(lines) == "ada: hello"
        assert list(lines) == ["linus: hi ada", "ada: how are you?"]
    assert client.get("/rooms/empty/transcript").text == ""


def test_ndjson_export_by_hand(client: TestClient) -> None:
    with client.stream("GET", "/rooms/general/export.ndjson") as response:
        assert response.headers["content-type"] == "application/x-ndjson"
        assert [json.loads(line) for line in response.iter_lines()] == SEEDED


def test_jsonl_export_from_a_generator_endpoint(client: TestClient) -> None:
    with client.stream("GET", "/rooms/general/export.jsonl") as response:
        assert response.headers["content-type"] == "application/jsonl"
        lines = response.iter_lines()
        assert next(lines) == '{"author":"ada","text":"hello","id":1,"room":"general"}'
        assert [json.loads(line) for line in lines] == SEEDED[1:]


def test_sse_replays_then_stops_reading_after_n_events(client: TestClient) -> None:
    with client.stream("GET", "/rooms/general/events") as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
        assert response.headers["cache-control"] == "no-cache"
        assert response.headers["x-accel-buffering"] == "no"
        welcome, first, second = read_events(response.iter_lines(), 3)
    assert welcome == {"": "welcome", "retry": "5000"}  # a comment line starts with ":"
    assert first == {
        "event": "message",
        "data": '{"author":"ada","text":"hello","id":1,"room":"general"}',
        "id": "1",
    }
    assert json.loads(second["data"]) == SEEDED[1]


def test_sse_delivers_live_messages_and_stops_when_the_client_leaves(
    client: TestClient,
) -> None:
    feed = app.state.feed
    with client.stream("GET", "/rooms/random/events") as response:
        lines = response.iter_lines()
        assert read_events(lines, 1) == [{"": "welcome", "retry": "5000"}]
        assert len(feed.listeners) == 1
        client.post("/rooms/general/messages", json={"author": "ada", "text": "elsewhere"})
        client.post("/rooms/random/messages", json={"author": "linus", "text": "live!"})
        [live] = read_events(lines, 1)
        assert live["id"] == "5"  # message 4 went to another room and was skipped
        assert json.loads(live["data"])["text"] == "live!"
    # Leaving the `with` closed the connection: the endpoint's generator was stopped.
    assert feed.listeners == set()


def test_sse_resumes_after_last_event_id(client: TestClient) -> None:
    with client.stream("GET", "/rooms/general/events", headers={"Last-Event-ID": "2"}) as response:
        _, resumed = read_events(response.iter_lines(), 2)
    assert resumed["id"] == "3"


def test_sse_rejects_a_bad_last_event_id(client: TestClient) -> None:
    response = client.get("/rooms/general/events", headers={"Last-Event-ID": "abc"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "int_parsing",
                "loc": ["header", "last-event-id"],
                "msg": "Input should be a valid integer, unable to parse string as an integer",
                "input": "abc",
            }
        ]
    }


def test_sse_sends_keep_alive_pings_when_idle(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # FastAPI pings every 15 s by default; its (private) interval is shortened for the test.
    monkeypatch.setattr(fastapi.routing, "_PING_INTERVAL", 0.05)
    with client.stream("GET", "/rooms/quiet/events") as response:
        welcome, ping = read_events(response.iter_lines(), 2)
    assert welcome == {"": "welcome", "retry": "5000"}
    assert ping == {"": "ping"}


def test_openapi_describes_each_stream(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    def content(path: str) -> dict:
        return paths[path]["get"]["responses"]["200"]["content"]

    assert content("/rooms/{room}/transcript") == {"text/plain": {}}
    assert content("/rooms/{room}/export.ndjson") == {"application/x-ndjson": {}}
    assert content("/rooms/{room}/export.jsonl") == {
        "application/jsonl": {"itemSchema": {"$ref": "#/components/schemas/Message"}}
    }
    assert list(content("/rooms/{room}/events")) == ["text/event-stream"]
    header = paths["/rooms/{room}/events"]["get"]["parameters"][1]
    assert header["name"] == "last-event-id"
    assert header["in"] == "header"
