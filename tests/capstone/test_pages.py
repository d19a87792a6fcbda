"""The pages: redirects, the HttpOnly SameSite cookie, the context, foreign-origin posts."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from capstone.security import COOKIE_NAME
from tests.capstone.conftest import ORIGIN, PASSWORD, Member, make_room


def log_in_form(client: TestClient, path: str, username: str, password: str = PASSWORD):
    """The page's form, posted as a browser does: with this site's `Origin`."""
    return client.post(
        path,
        data={"username": username, "password": password},
        headers={"Origin": ORIGIN},
        follow_redirects=False,
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

    out = client.post("/logout", headers={"Origin": ORIGIN}, follow_redirects=False)
    assert out.status_code == 303
    assert out.headers["location"] == "/login"
    assert f'{COOKIE_NAME}=""' in out.headers["set-cookie"]
    assert client.get("/", follow_redirects=False).status_code == 303


def field_error(page: str, field: str) -> str | None:
    """The text of the sign-up form's error next to `field`, or None when there is none."""
    pattern = rf'<p class="error field-error" id="register-{field}-error">([^<]*)</p>'
    found = re.search(pattern, page)
    return html.unescape(found[1]) if found else None


def test_sign_up_errors_are_per_field_and_keep_the_name(
    client: TestClient, member: Callable[..., Member]
) -> None:
    member("alice")
    taken = log_in_form(client, "/register", "alice")
    assert taken.status_code == 409
    assert field_error(taken.text, "username") == "That username is taken: choose another one."
    assert field_error(taken.text, "password") is None

    both = log_in_form(client, "/register", "a b", "short")
    assert both.status_code == 422
    assert field_error(both.text, "username") == "Use 3 to 32 letters, digits, '-' or '_'."
    assert field_error(both.text, "password") == "Use at least 8 characters (at most 128)."
    # The name stays in the sign-up form, not in the log-in one; no password is sent back.
    assert re.search(r'id="register-username"[^>]*value="a b"', both.text)
    assert re.search(r'id="login-username"[^>]*value=""', both.text)
    assert "short" not in both.text

    name_only = log_in_form(client, "/register", "x" * 33)
    assert field_error(name_only.text, "username") is not None
    assert field_error(name_only.text, "password") is None
    password_only = log_in_form(client, "/register", "carol", "1234567")
    assert field_error(password_only.text, "username") is None
    assert field_error(password_only.text, "password") is not None
    assert 'value="carol"' in password_only.text


# Where the forms post: typed in the address bar or reloaded after a refused post, each answers
# a page (or leads to one), never a JSON 405; and a visit changes nothing.
@pytest.mark.parametrize(
    ("path", "location"),
    [("/register", None), ("/logout", "/"), ("/rooms/general/join", "/rooms/general")],
)
def test_the_addresses_forms_post_to_answer_a_get(
    client: TestClient, member: Callable[..., Member], path: str, location: str | None
) -> None:
    alice = member("alice")
    make_room(client, alice, "general")
    log_in_form(client, "/register", "bob")
    response = client.get(path, follow_redirects=False)
    if location is None:
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert 'id="register-form"' in response.text
    else:
        assert (response.status_code, response.headers["location"]) == (303, location)
    assert client.get("/api/users/me").status_code == 200  # GET /logout logged no one out
    assert {"name": "general", "member": False} in client.get("/api/rooms").json()


def test_pages_are_not_stored(client: TestClient, member: Callable[..., Member]) -> None:
    for path in ("/login", "/register"):
        assert client.get(path).headers["cache-control"] == "no-store"
    alice = member("alice")
    make_room(client, alice, "general")
    log_in_form(client, "/register", "bob")
    for path, code in [("/", 200), ("/rooms/general", 200), ("/rooms/nowhere", 404)]:
        page = client.get(path)
        assert page.status_code == code
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert page.headers["cache-control"] == "no-store"
    client.post("/rooms/general/join", headers={"Origin": ORIGIN})
    assert client.get("/rooms/general").headers["cache-control"] == "no-store"
    assert log_in_form(client, "/login", "bob", "wrong-password").headers["cache-control"] == (
        "no-store"
    )


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

    room = client.get("/rooms/random")
    assert room.status_code == 200
    assert 'data-room="random" data-user="bob"' in room.text

    # A visit joins nothing (a link on another site could make the visit): the page offers the
    # join as a form, and only its post makes bob a member.
    visit = client.get("/rooms/general")
    assert visit.status_code == 200
    assert 'action="/rooms/general/join"' in visit.text
    assert "data-user=" not in visit.text  # not the chat: no socket is opened for a non-member
    assert client.get("/api/rooms").json() == [
        {"name": "general", "member": False},
        {"name": "random", "member": True},
    ]
    joined = client.post("/rooms/general/join", headers={"Origin": ORIGIN}, follow_redirects=False)
    assert (joined.status_code, joined.headers["location"]) == (303, "/rooms/general")
    assert 'data-room="general" data-user="bob"' in client.get("/rooms/general").text
    assert client.get("/api/rooms").json() == [
        {"name": "general", "member": True},
        {"name": "random", "member": True},
    ]
    gone = client.post("/rooms/nowhere/join", headers={"Origin": ORIGIN}, follow_redirects=False)
    assert gone.status_code == 404
    missing = client.get("/rooms/nowhere")
    assert missing.status_code == 404
    assert "nowhere" in missing.text


def test_user_strings_are_escaped(client: TestClient) -> None:
    response = log_in_form(client, "/login", "<script>x</script>", "whatever1")
    assert response.status_code == 401
    assert "<script>x</script>" not in response.text
    assert "&lt;script&gt;x&lt;/script&gt;" in response.text


FORM_PATHS = ["/login", "/register", "/logout", "/rooms/general/join"]
FOREIGN = [
    {"Origin": "https://evil.example"},
    {"Origin": "null"},  # a sandboxed frame or a data: page
    {},  # no Origin and no Referer: nothing says the post comes from this site
    {"Referer": "https://evil.example/rooms/general"},
    {"Referer": "http://testserver.evil.example/"},
    {"Referer": "http://testserver:99999/"},  # not a port: no origin at all
    {"Referer": "not a url"},
]


@pytest.mark.parametrize("headers", FOREIGN, ids=lambda h: "|".join(h.values()) or "none")
@pytest.mark.parametrize("path", FORM_PATHS)
def test_form_posts_not_from_this_site_are_403(
    client: TestClient, path: str, headers: dict[str, str]
) -> None:
    response = client.post(
        path,
        data={"username": "mallory", "password": PASSWORD},
        headers=headers,
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "Origin not allowed"}


def test_a_form_post_with_only_this_sites_referer_is_served(client: TestClient) -> None:
    # Some browsers and privacy settings send no Origin on a same-site form post, only Referer.
    response = client.post(
        "/register",
        data={"username": "bob", "password": PASSWORD},
        headers={"Referer": f"{ORIGIN}/login?next=/"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert client.cookies.get(COOKIE_NAME)
