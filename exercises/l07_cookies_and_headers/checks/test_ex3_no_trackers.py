"""Checks for exercise 07.3: a cookie the chat never set is a 422."""

from fastapi.testclient import TestClient


def test_our_own_cookies_are_read(client: TestClient) -> None:
    client.cookies.update({"session_id": "abc", "theme": "dark"})
    response = client.get("/session")
    assert response.status_code == 200 and response.json() == {
        "session_id": "abc",
        "theme": "dark",
    }, (
        "GET /session with the cookies session_id=abc; theme=dark answered "
        f'{response.status_code} {response.text}; expected {{"session_id": "abc", "theme": "dark"}}'
    )


def test_a_tracker_cookie_is_refused(client: TestClient) -> None:
    client.cookies.update({"session_id": "abc", "_tracker": "x1"})
    response = client.get("/session")
    places = (
        [error.get("loc") for error in response.json().get("detail", [])]
        if response.status_code == 422
        else []
    )
    assert ["cookie", "_tracker"] in places, (
        "GET /session with the cookies session_id=abc; _tracker=x1 answered "
        f"{response.status_code} {response.text}; expected 422 about cookie._tracker"
    )
