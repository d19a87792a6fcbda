"""Checks for exercise 02.3: `room_id` and `page` are bounded, and the document says so."""

import pytest
from fastapi.testclient import TestClient


def test_a_page_in_bounds_answers(client: TestClient) -> None:
    response = client.get("/rooms/3/history/99")
    assert response.json() == {"room_id": 3, "page": 99}, (
        f"GET /rooms/3/history/99 answered {response.status_code} {response.text}; "
        'expected {"room_id": 3, "page": 99}'
    )


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("/rooms/0/history/1", "a room id is greater than 0"),
        ("/rooms/1/history/0", "pages start at 1"),
        ("/rooms/1/history/100", "pages stop at 99"),
    ],
)
def test_out_of_bounds_is_refused(client: TestClient, path: str, why: str) -> None:
    response = client.get(path)
    assert response.status_code == 422, (
        f"GET {path} answered {response.status_code} {response.text}; expected 422: {why}"
    )


def test_the_document_shows_the_bounds(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/rooms/{room_id}/history/{page}"]
    schemas = {p["name"]: p["schema"] for p in operation["get"]["parameters"]}
    page = schemas["page"]
    wanted = {"title": "Page of history", "minimum": 1, "exclusiveMaximum": 100}
    shown = {key: page.get(key) for key in wanted}
    assert shown == wanted, f"/openapi.json describes page as {page}; expected {wanted} in it"
    assert schemas["room_id"].get("exclusiveMinimum") == 0, (
        f"/openapi.json describes room_id as {schemas['room_id']}; expected exclusiveMinimum 0"
    )
