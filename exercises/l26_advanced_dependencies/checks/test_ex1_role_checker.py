"""Checks for exercise 26.1: each RequireRole instance lets in its role and those above it."""

import pytest
from fastapi.testclient import TestClient

CASES = [
    ("DELETE", "/rooms/general/messages/2", "carol", 403),
    ("DELETE", "/rooms/general/messages/2", "bob", 204),
    ("DELETE", "/rooms/general/messages/2", "alice", 204),
    ("DELETE", "/rooms/general", "bob", 403),
    ("DELETE", "/rooms/general", "alice", 204),
    ("GET", "/rooms/general/messages", "carol", 200),
]


@pytest.mark.parametrize(("method", "path", "user", "expected"), CASES)
def test_each_role_gets_what_it_may(
    client: TestClient, method: str, path: str, user: str, expected: int
) -> None:
    response = client.request(method, path, headers={"X-User": user})
    assert response.status_code == expected, (
        f"{method} {path} as {user} answered {response.status_code} {response.text}; "
        f"expected {expected}"
    )


def test_the_refusal_names_the_role(client: TestClient) -> None:
    response = client.delete("/rooms/general/messages/2", headers={"X-User": "carol"})
    assert response.json() == {"detail": "Needs the role moderator"}, (
        f"DELETE as carol answered {response.text}; "
        'expected {"detail": "Needs the role moderator"}'
    )
    closed = client.delete("/rooms/general", headers={"X-User": "bob"})
    assert closed.json() == {"detail": "Needs the role owner"}, (
        f'DELETE /rooms/general as bob answered {closed.text}; expected "Needs the role owner"'
    )


def test_someone_outside_is_still_refused(client: TestClient) -> None:
    response = client.get("/rooms/general/messages", headers={"X-User": "dave"})
    assert response.status_code == 403, (
        f"GET /rooms/general/messages as dave answered {response.status_code}; expected 403"
    )
