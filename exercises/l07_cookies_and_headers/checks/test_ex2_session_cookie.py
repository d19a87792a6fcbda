"""Checks for exercise 07.2: the login sets `session_id`, HttpOnly and SameSite=Lax."""

from fastapi.testclient import TestClient


def session_cookie_header(client: TestClient) -> tuple[str, str]:
    response = client.post("/login/alice")
    for header in response.headers.get_list("set-cookie"):
        if header.startswith("session_id="):
            return header, response.text
    return "", response.text


def test_the_login_sets_the_session_cookie(client: TestClient) -> None:
    header, text = session_cookie_header(client)
    assert header.startswith("session_id=session-of-alice;"), (
        f"POST /login/alice answered {text} with the Set-Cookie header {header or 'missing'!r}; "
        "expected a cookie session_id=session-of-alice"
    )
    response = client.get("/session")
    assert response.status_code == 200 and response.json() == {"session_id": "session-of-alice"}, (
        f"GET /session after POST /login/alice answered {response.status_code} {response.text}; "
        'expected {"session_id": "session-of-alice"}'
    )


def test_scripts_and_other_sites_cannot_use_it(client: TestClient) -> None:
    header, _ = session_cookie_header(client)
    flags = [part.strip().lower() for part in header.split(";")[1:]]
    assert "httponly" in flags and "samesite=lax" in flags, (
        f"POST /login/alice set the cookie {header or 'missing'!r}; expected it marked "
        "HttpOnly and SameSite=lax"
    )
