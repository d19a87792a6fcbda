"""Checks for exercise 16.2: each request through the dependency leaves its line."""

from fastapi.testclient import TestClient


def test_both_endpoints_leave_a_line(client: TestClient) -> None:
    client.get("/rooms")
    client.post("/rooms/general/join")
    log = client.get("/log").json()
    expected = ["GET /rooms", "POST /rooms/general/join"]
    assert log == expected, f"after two requests the log holds {log}; expected {expected}"
