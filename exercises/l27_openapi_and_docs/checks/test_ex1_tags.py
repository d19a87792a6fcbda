"""Checks for exercise 27.1: the OpenAPI document lists both tags, described, in order."""

from fastapi.testclient import TestClient

EXPECTED = [
    {"name": "members", "description": "Who is in the chat."},
    {"name": "rooms", "description": "The chat's rooms."},
]


def test_the_tags_are_described_in_order(client: TestClient) -> None:
    tags = client.get("/openapi.json").json().get("tags")
    assert tags == EXPECTED, f"the OpenAPI document's tags are {tags}; expected {EXPECTED}"


def test_the_endpoints_still_answer(client: TestClient) -> None:
    for path in ("/rooms", "/members"):
        response = client.get(path)
        assert response.status_code == 200, f"GET {path} answered {response.status_code}"
