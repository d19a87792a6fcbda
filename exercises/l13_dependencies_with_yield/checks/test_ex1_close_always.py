"""Checks for exercise 13.1: the session is closed after a 404 too."""

from fastapi.testclient import TestClient


def test_no_session_is_left_open(client: TestClient) -> None:
    assert client.get("/rooms/general").status_code == 200
    assert client.get("/sessions/open").json() == 0, "a successful request left a session open"
    missing = client.get("/rooms/nowhere")
    assert missing.status_code == 404, f"GET /rooms/nowhere answered {missing.status_code}"
    still_open = client.get("/sessions/open").json()
    assert still_open == 0, (
        f"after a request that ended in 404, {still_open} session(s) are still open; expected 0: "
        "the close after `yield` was skipped by the exception"
    )
