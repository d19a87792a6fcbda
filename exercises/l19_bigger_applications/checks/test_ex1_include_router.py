"""Checks for exercise 19.1: the rooms router answers under /rooms, tagged rooms."""

from fastapi.testclient import TestClient


def test_the_room_paths_answer(client: TestClient) -> None:
    listed = client.get("/rooms")
    assert listed.status_code == 200, (
        f"GET /rooms answered {listed.status_code} {listed.text}; expected 200"
    )
    assert listed.json() == ["general", "python"]
    room = client.get("/rooms/python")
    assert room.json() == {"name": "python", "topic": "Snakes"}, f"GET /rooms/python: {room.text}"
    assert client.get("/rooms/nowhere").status_code == 404


def test_the_document_tags_them(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    tags = {path: operations["get"].get("tags") for path, operations in paths.items()}
    expected = {"/rooms": ["rooms"], "/rooms/{name}": ["rooms"]}
    assert tags == expected, (
        f"the OpenAPI document has the paths and tags {tags}; expected {expected}"
    )
