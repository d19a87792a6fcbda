"""Lesson 13: yield dependencies go up a→b→c and down c→b→a, and translate the store's errors."""

from collections.abc import Generator, Iterator
from typing import Any, cast

import pytest
from fastapi import HTTPException
from fastapi.testclient import TestClient

from lessons import l13_dependencies_with_yield as lesson
from lessons.l13_dependencies_with_yield import app

client = TestClient(app)

SET_UP = ["connection: opened", "session: opened"]
TORN_DOWN = ["session: closed", "connection: closed"]


@pytest.fixture(autouse=True)
def _fresh_store() -> Iterator[None]:
    lesson.store.rooms = {"general": {"m0": "Welcome"}, "random": {}}
    lesson.store.online = True
    assert client.delete("/journal").status_code == 204
    yield
    lesson.store.online = True


def journal() -> list[str]:
    return client.get("/journal").json()


# --- the order: a→b→c up, c→b→a down ---


def test_read_opens_and_closes_around_the_endpoint() -> None:
    response = client.get("/rooms/general/messages")
    assert response.status_code == 200
    assert response.json() == {"m0": "Welcome"}
    # Default scope: the tear-down runs after the response has been sent.
    assert journal() == [*SET_UP, "endpoint: read", "response: sent", *TORN_DOWN]


def test_post_sets_up_a_b_c_and_tears_down_c_b_a() -> None:
    response = client.post("/rooms/general/messages", json={"id": "m1", "text": "Hi all"})
    assert response.status_code == 201
    assert response.json() == {"id": "m1", "text": "Hi all"}
    assert journal() == [
        "connection: opened",  # a
        "session: opened",  # b
        "transaction: begun",  # c
        "endpoint: added",
        "transaction: committed",  # c, scope="function": before the response
        "response: sent",
        "session: closed",  # b, default scope: after the response
        "connection: closed",  # a
    ]
    assert client.get("/rooms/general/messages").json() == {"m0": "Welcome", "m1": "Hi all"}


def test_the_order_holds_when_the_endpoint_raises() -> None:
    response = client.post("/rooms/lobby/messages", json={"id": "m1", "text": "Hi"})
    assert response.status_code == 404
    assert response.json() == {"detail": "No room called 'lobby'"}
    assert journal() == [
        *SET_UP,
        "transaction: begun",
        "transaction: rolled back",
        "session: passing on HTTPException",
        *TORN_DOWN,
    ]


def test_a_read_that_raises_still_closes_the_session() -> None:
    response = client.get("/rooms/lobby/messages")
    assert response.status_code == 404
    assert response.json() == {"detail": "No room called 'lobby'"}
    assert journal() == [*SET_UP, "session: passing on HTTPException", *TORN_DOWN]


def test_a_422_still_opens_and_closes_the_resources() -> None:
    response = client.post("/rooms/general/messages", json={"text": "no id"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "missing",
                "loc": ["body", "id"],
                "msg": "Field required",
                "input": {"text": "no id"},
            }
        ]
    }
    assert journal() == [
        *SET_UP,
        "transaction: begun",
        "transaction: rolled back",
        "session: passing on RequestValidationError",
        *TORN_DOWN,
    ]


# --- turning the store's errors into HTTP answers ---


def test_a_duplicate_becomes_409_and_nothing_is_committed() -> None:
    response = client.post("/rooms/general/messages", json={"id": "m0", "text": "Again"})
    assert response.status_code == 409
    assert response.json() == {"detail": "Message 'm0' was already posted"}
    assert journal() == [*SET_UP, "transaction: begun", "transaction: rolled back", *TORN_DOWN]
    assert lesson.store.rooms["general"] == {"m0": "Welcome"}


def test_an_outage_becomes_503_on_read() -> None:
    assert client.put("/store/online", params={"online": False}).status_code == 204
    client.delete("/journal")
    response = client.get("/rooms/general/messages")
    assert response.status_code == 503
    assert response.json() == {"detail": "The message store is unavailable, try again soon"}
    assert journal() == [*SET_UP, *TORN_DOWN]


def test_an_outage_becomes_503_on_write_and_rolls_back() -> None:
    client.put("/store/online", params={"online": False})
    client.delete("/journal")
    response = client.post("/rooms/general/messages", json={"id": "m1", "text": "Hi"})
    assert response.status_code == 503
    assert journal() == [*SET_UP, "transaction: begun", "transaction: rolled back", *TORN_DOWN]
    client.put("/store/online", params={"online": True})
    assert client.get("/rooms/general/messages").json() == {"m0": "Welcome"}


def test_set_online_needs_a_boolean() -> None:
    response = client.put("/store/online", params={"online": "maybe"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "bool_parsing",
                "loc": ["query", "online"],
                "msg": "Input should be a valid boolean, unable to interpret input",
                "input": "maybe",
            }
        ]
    }


def test_the_http_error_keeps_the_store_error_as_its_cause() -> None:
    # Drive the dependency by hand, as FastAPI does: next() runs the set-up, throw() the error.
    steps = cast(Generator[Any, None, None], lesson.open_session("connection-1"))
    next(steps)
    with pytest.raises(HTTPException) as caught:
        steps.throw(lesson.DuplicateMessage("m7"))
    assert caught.value.status_code == 409
    assert isinstance(caught.value.__cause__, lesson.DuplicateMessage)


def test_an_unexpected_error_is_re_raised_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_add(self: lesson.Session, room: str, message_id: str, text: str) -> None:
        raise RuntimeError("a bug in the store")

    monkeypatch.setattr(lesson.Session, "add", broken_add)
    # The test client re-raises what the server did not handle: the original error, not a 503.
    with pytest.raises(RuntimeError, match="a bug in the store"):
        client.post("/rooms/general/messages", json={"id": "m1", "text": "Hi"})
    assert journal() == [
        *SET_UP,
        "transaction: begun",
        "transaction: rolled back",
        "session: passing on RuntimeError",
        *TORN_DOWN,
    ]
    # A client sees a plain 500.
    response = TestClient(app, raise_server_exceptions=False).post(
        "/rooms/general/messages", json={"id": "m1", "text": "Hi"}
    )
    assert response.status_code == 500
    assert response.text == "Internal Server Error"


# --- the journal and the OpenAPI document ---


def test_the_journal_can_be_emptied() -> None:
    client.get("/rooms/general/messages")
    assert journal() != []
    assert client.delete("/journal").status_code == 204
    assert journal() == []


def test_dependencies_do_not_show_in_the_openapi_document() -> None:
    schema = client.get("/openapi.json").json()
    assert schema["info"]["title"] == "Lesson 13 — Dependencies with yield"
    post = schema["paths"]["/rooms/{room}/messages"]["post"]
    # The yield dependencies take no request parameters: only the path and the body show.
    assert [p["name"] for p in post["parameters"]] == ["room"]
    assert post["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/NewMessage"
    }
    assert list(post["responses"]) == ["201", "422"]
