"""Checks for exercise 12.2: deleting a room needs the admin key."""

from fastapi.testclient import TestClient


def test_without_the_key_nothing_is_deleted(client: TestClient) -> None:
    for headers in ({}, {"X-Admin-Key": "guess"}):
        response = client.delete("/rooms/general", headers=headers)
        assert response.status_code == 403, (
            f"DELETE /rooms/general with the headers {headers} answered {response.status_code}; "
            "expected 403"
        )
    assert client.get("/rooms").json() == ["general", "random"], (
        "a room was deleted without the key"
    )


def test_with_the_key_it_is_deleted(client: TestClient) -> None:
    response = client.delete("/rooms/general", headers={"X-Admin-Key": "letmein"})
    assert response.status_code == 204
    assert client.get("/rooms").json() == ["random"]
