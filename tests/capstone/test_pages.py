"""The pages: redirects, the HttpOnly SameSite cookie, the context, foreign-origin posts."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from capstone.security import COOKIE_NAME
from tests.capstone.conftest import PASSWORD, Member, make_room


def log_in_form(client: TestClient, path: str, username: str, password: str = PASSWORD):
    return client.post(
        path, data={"username": username, "password": password}, follow_redirects=False
    )


def test_signed_out_visitors_go_to_login(client: TestClient) -> None:
    for path in ("/", "/rooms/general"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/login"
    page = client.get("/login")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert 'action="/login"' in page.text and 'action="/register"' in page.text


def test_sign_up_sets_the_cookie(client: TestClient) -> None:
    response = log_in_form(client, "/register", "alice")
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=")
    parts = {part.strip().lower() for part in cookie.split(";")}
    assert {"httponly", "samesite=lax", "path=/", "max-age=86400"} <= parts
    rooms = client.get("/")
    assert rooms.status_code == 200
    assert "alice" in rooms.text


def test_log_in_and_out(client: TestClient, member: Callable[..., Member]) -> None:
    member("alice")
    wrong = log_in_form(client, "/login", "alice", "wrong-password")
    assert wrong.status_code == 401
    assert "Wrong username or password." in wrong.text
    assert 'value="alice"' in wrong.text  # the name typed is kept
    assert COOKIE_NAME not in client.cookies

    ok = log_in_form(client, "/login", "alice")
    assert ok.status_code == 303
    assert client.cookies.get(COOKIE_NAME)
    assert client.get("/api/users/me").json()["username"] == "alice"

    out = client.post("/logout", follow_redirects=False)
    assert out.status_code == 303
    assert out.headers["location"] == "/login"
    assert f'{COOKIE_NAME}=""' in out.headers["set-cookie"]
    assert client.get("/", follow_redirects=False).status_code == 303


def test_sign_up_errors(client: TestClient, member: Callable[..., Member]) -> None:
    member("alice")
    taken = log_in_form(client, "/register", "alice")
    assert taken.status_code == 409
    assert "That username is taken." in taken.text
    bad = log_in_form(client, "/register", "a", "short")
    assert bad.status_code == 422
    assert "at least 8 characters" in bad.text


def test_rooms_and_room_pages(client: TestClient, member: Callable[..., Member]) -> None:
    alice = member("alice")
    make_room(client, alice, "general")
    make_room(client, alice, "random")
    log_in_form(client, "/register", "bob")
    client.post("/api/rooms/random/join", headers={"Origin": "http://testserver"})
    page = client.get("/")
    assert page.text.count('<li data-room="') == 2
    assert '<li data-room="random" class="member">' in page.text
    assert '<li data-room="general">' in page.text

    room = client.get("/rooms/general")
    assert room.status_code == 200
    assert 'data-room="general" data-user="bob"' in room.text
    assert client.get("/api/rooms").json() == [
        {"name": "general", "member": True},  # visiting the page joined it
        {"name": "random", "member": True},
    ]
    missing = client.get("/rooms/nowhere")
    assert missing.status_code == 404
    assert "nowhere" in missing.text


def test_user_strings_are_escaped(client: TestClient) -> None:
    response = log_in_form(client, "/login", "<script>x</script>", "whatever1")
    assert response.status_code == 401
    assert "<script>x</script>" not in response.text
    assert "&lt;script&gt;x&lt;/script&gt;" in response.text


@pytest.mark.parametrize("path", ["/login", "/register", "/logout"])
def test_form_posts_from_another_site_are_403(client: TestClient, path: str) -> None:
    response = client.post(
        path,
        data={"username": "mallory", "password": PASSWORD},
        headers={"Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "Origin not allowed"}
