"""Checks for exercise 13.2: a refused request stores nothing, an accepted one is stored."""

from fastapi.testclient import TestClient


def test_a_refused_message_is_not_stored(client: TestClient) -> None:
    refused = client.post("/rooms/archive/messages", params={"text": "hello?"})
    assert refused.status_code == 409, (
        f"posting to the closed room answered {refused.status_code} {refused.text}; "
        "expected 409: re-raise the exception after rolling back"
    )
    stored = client.get("/messages").json()
    assert stored == [], f"after a refused post the store holds {stored}; expected []"


def test_an_accepted_message_is_stored(client: TestClient) -> None:
    assert client.post("/rooms/general/messages", params={"text": "hi"}).status_code == 201
    assert client.get("/messages").json() == ["general: hi"]
