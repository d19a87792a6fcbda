"""Checks for exercise 03.2: `/health` is hidden, `/users` deprecated, and both still answer."""

from fastapi.testclient import TestClient


def test_health_is_not_in_the_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/health" not in paths, "/openapi.json still lists /health; expected it left out"


def test_health_still_answers(client: TestClient) -> None:
    response = client.get("/health")
    assert response.json() == {"status": "ok"}, (
        f'GET /health answered {response.status_code} {response.text}; expected {{"status": "ok"}}'
    )


def test_the_old_users_list_is_deprecated(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/rooms/{room_id}/users"]["get"]
    assert operation.get("deprecated") is True, (
        "/openapi.json does not mark GET /rooms/{room_id}/users as deprecated; expected "
        '"deprecated": true'
    )


def test_the_old_users_list_still_answers(client: TestClient) -> None:
    response = client.get("/rooms/1/users")
    assert response.json() == ["alice", "bob", "chen"], (
        f"GET /rooms/1/users answered {response.status_code} {response.text}; "
        'expected ["alice", "bob", "chen"]: deprecated endpoints keep working'
    )
