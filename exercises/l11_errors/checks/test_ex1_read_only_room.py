"""Checks for exercise 11.1: a read-only room answers 403 with its detail and header."""

from fastapi.testclient import TestClient


def test_posting_in_a_read_only_room_is_forbidden(client: TestClient) -> None:
    response = client.post("/rooms/announcements/messages", json={"text": "hi"})
    detail = str(response.json().get("detail", "")) if response.status_code == 403 else ""
    assert "read-only" in detail, (
        'POST /rooms/announcements/messages with {"text": "hi"} answered '
        f"{response.status_code} {response.text}; expected 403 with a detail that says "
        "the room is read-only"
    )
    mode = response.headers.get("x-room-mode")
    assert mode == "read-only", (
        "POST /rooms/announcements/messages answered 403 with the header X-Room-Mode "
        f"{mode!r}; expected X-Room-Mode: read-only"
    )


def test_posting_in_an_open_room_still_works(client: TestClient) -> None:
    response = client.post("/rooms/general/messages", json={"text": "hi"})
    assert response.status_code == 201, (
        'POST /rooms/general/messages with {"text": "hi"} answered '
        f"{response.status_code} {response.text}; expected 201"
    )
