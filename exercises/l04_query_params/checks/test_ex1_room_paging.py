"""Checks for exercise 04.1: `skip` and `limit` page through the rooms."""

import pytest
from fastapi.testclient import TestClient


def test_the_first_page_has_three_rooms(client: TestClient) -> None:
    response = client.get("/rooms")
    assert response.json() == ["general", "python", "help"], (
        f"GET /rooms answered {response.status_code} {response.text}; "
        'expected the first three rooms, ["general", "python", "help"]'
    )


def test_skip_and_limit_choose_the_page(client: TestClient) -> None:
    response = client.get("/rooms", params={"skip": 3, "limit": 2})
    assert response.json() == ["music", "games"], (
        f"GET /rooms?skip=3&limit=2 answered {response.status_code} {response.text}; "
        'expected ["music", "games"]'
    )


@pytest.mark.parametrize("limit", [0, 51])
def test_a_limit_out_of_bounds_is_refused(client: TestClient, limit: int) -> None:
    response = client.get("/rooms", params={"limit": limit})
    assert response.status_code == 422, (
        f"GET /rooms?limit={limit} answered {response.status_code} {response.text}; "
        "expected 422: a limit is from 1 to 50"
    )
