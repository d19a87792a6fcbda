"""Checks for exercise 01.2: the settings model refuses a bad name and a bad rate."""

import json

import pytest
from fastapi.testclient import TestClient


def test_good_settings_come_back_converted(client: TestClient) -> None:
    body = {"name": "general", "messages_per_second": "1.5"}
    response = client.post("/rooms/settings", json=body)
    assert response.status_code == 200 and response.json()["messages_per_second"] == 1.5, (
        f"POST /rooms/settings with {json.dumps(body)} answered "
        f"{response.status_code} {response.text}; expected 200 with the rate as the number 1.5"
    )


@pytest.mark.parametrize(
    ("body", "field", "why"),
    [
        ({"name": "general", "messages_per_second": 0}, "messages_per_second", "greater than 0"),
        ({"name": "general", "messages_per_second": -2}, "messages_per_second", "greater than 0"),
        ({"name": "", "messages_per_second": 1}, "name", "at least 1 character"),
        ({"name": "x" * 41, "messages_per_second": 1}, "name", "at most 40 characters"),
    ],
    ids=["rate 0", "rate -2", "empty name", "name of 41"],
)
def test_bad_settings_are_refused(
    client: TestClient, body: dict[str, object], field: str, why: str
) -> None:
    response = client.post("/rooms/settings", json=body)
    places = [error.get("loc") for error in response.json().get("detail", [])]
    assert response.status_code == 422 and ["body", field] in places, (
        f"POST /rooms/settings with {json.dumps(body)} answered {response.status_code}; "
        f"expected 422 about {field} ({why})"
    )
