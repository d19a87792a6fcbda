"""Checks for exercise 19.2: every admin endpoint needs the admin key."""

import pytest
from fastapi.testclient import TestClient

ENDPOINTS = [("POST", "/admin/bans/mallory"), ("GET", "/admin/bans")]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_without_the_key_it_is_403(client: TestClient, method: str, path: str) -> None:
    for headers in ({}, {"X-Admin-Key": "guess"}):
        response = client.request(method, path, headers=headers)
        assert response.status_code == 403, (
            f"{method} {path} with the headers {headers} answered {response.status_code} "
            f"{response.text}; expected 403"
        )


def test_with_the_key_it_works(client: TestClient) -> None:
    key = {"X-Admin-Key": "letmein"}
    assert client.post("/admin/bans/mallory", headers=key).status_code == 201
    assert client.get("/admin/bans", headers=key).json() == ["mallory"]
