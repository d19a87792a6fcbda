"""Checks for exercise 11.2: `RoomNotFound` answers 404 JSON wherever it is raised."""

import json

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize("path", ["/rooms/nowhere", "/rooms/nowhere/messages"])
def test_a_missing_room_is_a_404(client: TestClient, path: str) -> None:
    answers_500 = TestClient(client.app, raise_server_exceptions=False)
    response = answers_500.get(path)
    expected = {"detail": "No room named 'nowhere'", "room": "nowhere"}
    body = response.json() if response.status_code == 404 else response.text
    assert body == expected, (
        f"GET {path} answered {response.status_code} {response.text}; expected 404 with "
        f"{json.dumps(expected)}"
    )


def test_a_room_that_exists_is_answered(client: TestClient) -> None:
    response = client.get("/rooms/general/messages")
    assert response.status_code == 200 and response.json() == ["hi", "hello there"], (
        f"GET /rooms/general/messages answered {response.status_code} {response.text}; "
        'expected 200 with ["hi", "hello there"]'
    )
