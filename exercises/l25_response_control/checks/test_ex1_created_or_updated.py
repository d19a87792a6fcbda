"""Checks for exercise 25.1: 201 and a Location on creation, 200 on update."""

from fastapi.testclient import TestClient


def test_a_new_room_is_201_with_its_location(client: TestClient) -> None:
    response = client.put("/rooms/python", json={"topic": "Snakes"})
    assert response.status_code == 201, (
        f"PUT /rooms/python (a new room) answered {response.status_code} {response.text}; "
        "expected 201 Created"
    )
    location = response.headers.get("location")
    assert location == "/rooms/python", (
        f"the 201 came with Location: {location}; expected /rooms/python"
    )
    assert response.json() == {"name": "python", "topic": "Snakes"}, (
        f'PUT /rooms/python answered {response.text}; expected {{"name": "python", "topic": '
        '"Snakes"}'
    )


def test_an_existing_room_is_200_without_a_location(client: TestClient) -> None:
    response = client.put("/rooms/general", json={"topic": "Be nice"})
    assert response.status_code == 200, (
        f"PUT /rooms/general (it exists) answered {response.status_code}; expected 200"
    )
    assert "location" not in response.headers, (
        "PUT /rooms/general (an update) came with a Location header; expected none"
    )


def test_the_second_put_of_a_new_room_is_an_update(client: TestClient) -> None:
    client.put("/rooms/python", json={"topic": "Snakes"})
    again = client.put("/rooms/python", json={"topic": "Snakes only"})
    assert again.status_code == 200, (
        f"a second PUT /rooms/python answered {again.status_code}; expected 200: it exists now"
    )


def test_a_bad_body_is_still_422(client: TestClient) -> None:
    response = client.put("/rooms/python", json={"topic": "x" * 201})
    assert response.status_code == 422, (
        f"PUT /rooms/python with a 201-character topic answered {response.status_code}; "
        "expected 422"
    )
