"""Checks for exercise 08.2: only the fields that were set go out, defaults or not."""

from typing import Any

from fastapi.testclient import TestClient


def test_a_room_with_a_name_only(client: TestClient) -> None:
    response = client.get("/rooms/general/settings/set")
    assert response.status_code == 200 and response.json() == {"name": "general"}, (
        f"GET /rooms/general/settings/set answered {response.status_code} {response.text}; "
        'expected only {"name": "general"}: the other fields were never set'
    )


def test_values_equal_to_the_defaults_still_count(client: TestClient) -> None:
    response = client.get("/rooms/quiet/settings/set")
    expected: dict[str, Any] = {"name": "quiet", "topic": None, "slow_mode_seconds": 0, "tags": []}
    assert response.status_code == 200 and response.json() == expected, (
        f"GET /rooms/quiet/settings/set answered {response.status_code} {response.text}; "
        f"expected all four fields, {expected}: they were set, even if to the defaults"
    )


def test_a_room_with_three_fields(client: TestClient) -> None:
    response = client.get("/rooms/python/settings/set")
    expected = {"name": "python", "topic": "All things Python", "slow_mode_seconds": 5}
    assert response.status_code == 200 and response.json() == expected, (
        f"GET /rooms/python/settings/set answered {response.status_code} {response.text}; "
        f"expected {expected}"
    )
