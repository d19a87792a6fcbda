"""Checks for exercise 21.2: a taken room name is 409, and the database goes on working."""

from fastapi.testclient import TestClient


def test_a_taken_name_is_409(client: TestClient) -> None:
    first = client.post("/rooms", json={"name": "general"})
    assert first.status_code == 201, f"the first POST /rooms answered {first.status_code}"
    again = client.post("/rooms", json={"name": "general"})
    assert again.status_code == 409, (
        f'a second POST /rooms with {{"name": "general"}} answered {again.status_code} '
        f"{again.text}; expected 409"
    )
    assert again.json() == {"detail": "A room with that name exists"}, (
        f'the 409 said {again.text}; expected {{"detail": "A room with that name exists"}}'
    )


def test_the_session_works_after_the_refusal(client: TestClient) -> None:
    client.post("/rooms", json={"name": "general"})
    client.post("/rooms", json={"name": "general"})
    other = client.post("/rooms", json={"name": "random"})
    assert other.status_code == 201 and other.json() == {"id": 2, "name": "random"}, (
        f"after a refused name POST /rooms with a new name answered {other.status_code} "
        f"{other.text}; expected 201 with the id 2"
    )
