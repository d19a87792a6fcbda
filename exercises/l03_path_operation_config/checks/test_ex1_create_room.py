"""Checks for exercise 03.1: `POST /rooms` answers 201 and is tagged "rooms"."""

from fastapi.testclient import TestClient


def test_creating_a_room_answers_201(client: TestClient) -> None:
    response = client.post("/rooms", json={"name": "python"})
    assert response.status_code == 201, (
        f'POST /rooms with {{"name": "python"}} answered {response.status_code}; '
        "expected 201 Created"
    )
    assert response.json() == {"name": "python", "topic": None}, (
        f'POST /rooms answered {response.text}; expected {{"name": "python", "topic": null}}'
    )


def test_the_document_shows_201_under_rooms(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/rooms"]["post"]
    assert "201" in operation["responses"], (
        f"/openapi.json lists the responses {sorted(operation['responses'])} for POST /rooms; "
        "expected 201 among them"
    )
    assert operation.get("tags") == ["rooms"], (
        f"/openapi.json gives POST /rooms the tags {operation.get('tags')}; expected ['rooms']"
    )
