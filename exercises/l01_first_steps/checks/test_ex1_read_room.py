"""Checks for exercise 01.1: `room_id` is converted to a number and checked."""

from fastapi.testclient import TestClient


def test_a_known_room_is_found(client: TestClient) -> None:
    response = client.get("/rooms/2")
    assert response.json() == {"room_id": 2, "name": "random"}, (
        f"GET /rooms/2 answered {response.status_code} {response.text}; "
        'expected {"room_id": 2, "name": "random"}'
    )


def test_a_room_id_that_is_not_a_number_is_refused(client: TestClient) -> None:
    response = client.get("/rooms/lobby")
    assert response.status_code == 422, (
        f"GET /rooms/lobby answered {response.status_code} {response.text}; "
        "expected 422: a room id is a whole number"
    )
