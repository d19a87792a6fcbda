"""A NUL character in any text a client sends: a clear refusal, never a 500, on both databases.

PostgreSQL can neither store nor compare U+0000 in a text column, so the chat refuses it before
the database sees it: 422 for a body or form field, a `bad_frame` error frame on the socket, 401
for a login (no one has such a name), 404 for a room path (no room has such a name). Upload
filenames lose their control characters instead (test_hostile_http.py).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.capstone.conftest import ORIGIN, PASSWORD, Member, frames_until, make_room, ticket

NUL = "\x00"
NUL_IN_PATH = "gen%00eral"  # what a client sends for `gen\x00eral` in a URL


@pytest.fixture
def alice(client: TestClient, member: Callable[..., Member]) -> Member:
    alice = member("alice")
    make_room(client, alice, "general")
    return alice


PATTERN, REFUSED = "string_pattern_mismatch", "value_error"  # refused by `refuse_nul`


def errors(response_json: object) -> list[tuple[tuple[object, ...], str]]:
    """Where each refusal points, and why."""
    assert isinstance(response_json, dict)
    return [(tuple(error["loc"]), error["type"]) for error in response_json["detail"]]


SIGN_UPS = {
    "username": ({"username": f"bo{NUL}b", "password": PASSWORD}, ("body", "username"), PATTERN),
    "password": (
        {"username": "bob", "password": f"{PASSWORD}{NUL}"},
        ("body", "password"),
        REFUSED,
    ),
}


@pytest.mark.parametrize("field", SIGN_UPS, ids=list(SIGN_UPS))
def test_a_nul_in_a_sign_up_is_422(client: TestClient, field: str) -> None:
    body, where, why = SIGN_UPS[field]
    response = client.post("/api/auth/register", json=body)
    assert response.status_code == 422
    assert errors(response.json()) == [(where, why)]
    assert (
        client.post("/api/auth/token", data={"username": "bob", "password": PASSWORD}).status_code
        == 401
    )


@pytest.mark.parametrize(
    "form",
    [
        {"username": f"ali{NUL}ce", "password": PASSWORD},
        {"username": "alice", "password": f"{NUL}"},
    ],
    ids=["username", "password"],
)
def test_a_nul_in_a_login_matches_no_one(
    client: TestClient, alice: Member, form: dict[str, str]
) -> None:
    response = client.post("/api/auth/token", data=form)
    assert (response.status_code, response.json()) == (
        401,
        {"detail": "Incorrect username or password"},
    )
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_nul_in_the_login_page_form_is_401_and_in_the_sign_up_form_422(
    client: TestClient, alice: Member
) -> None:
    headers = {"origin": ORIGIN}
    login = client.post(
        "/login", data={"username": f"ali{NUL}ce", "password": PASSWORD}, headers=headers
    )
    assert login.status_code == 401
    assert "Wrong username or password." in login.text
    for form in [
        {"username": f"bo{NUL}b", "password": PASSWORD},
        {"username": "bob", "password": f"{PASSWORD}{NUL}"},
    ]:
        signed_up = client.post("/register", data=form, headers=headers, follow_redirects=False)
        assert signed_up.status_code == 422
        assert "chat_session" not in signed_up.cookies


def test_a_nul_in_a_message_over_http_is_422_and_nothing_is_stored(
    client: TestClient, alice: Member
) -> None:
    url = "/api/rooms/general/messages"
    for body, where, why in [
        ({"text": f"hi{NUL}there", "client_msg_id": "m1"}, ("body", "text"), REFUSED),
        ({"text": "hi", "client_msg_id": f"m{NUL}1"}, ("body", "client_msg_id"), PATTERN),
    ]:
        response = client.post(url, json=body, headers=alice.auth)
        assert response.status_code == 422
        assert errors(response.json()) == [(where, why)]
    assert client.get(url, headers=alice.auth).json() == []


def test_a_nul_in_a_socket_frame_is_a_bad_frame_and_the_socket_lives_on(
    client: TestClient, alice: Member
) -> None:
    url = f"/ws/rooms/general?ticket={ticket(client, alice)}"
    with client.websocket_connect(url, headers={"origin": ORIGIN}) as ws:
        frames_until(ws, "presence")
        for frame, detail in [
            (
                {"type": "message", "text": f"a{NUL}b", "client_msg_id": "s1"},
                "message.text: Value error, must not contain the NUL character",
            ),
            (
                {"type": "message", "text": "ab", "client_msg_id": f"s{NUL}1"},
                "message.client_msg_id: String should match pattern",
            ),
        ]:
            ws.send_json(frame)
            error = ws.receive_json()
            assert (error["type"], error["code"]) == ("error", "bad_frame")
            assert error["detail"].startswith(detail)
        ws.send_json({"type": "message", "text": "still here", "client_msg_id": "s2"})
        assert frames_until(ws, "ack")[-1] == {"type": "ack", "client_msg_id": "s2", "seq": 1}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"/api/rooms/{NUL_IN_PATH}/messages"),
        ("POST", f"/api/rooms/{NUL_IN_PATH}/join"),
        ("POST", f"/api/rooms/{NUL_IN_PATH}/messages"),
        ("POST", f"/api/rooms/{NUL_IN_PATH}/attachments"),
    ],
)
def test_a_nul_in_a_room_path_is_404(
    client: TestClient, alice: Member, method: str, path: str
) -> None:
    kwargs: dict[str, object] = {}
    if path.endswith("/messages") and method == "POST":
        kwargs["json"] = {"text": "hi", "client_msg_id": "p1"}
    if path.endswith("/attachments"):
        kwargs["files"] = {"file": ("a.txt", b"hello", "text/plain")}
    response = client.request(method, path, headers=alice.auth, **kwargs)  # type: ignore[arg-type]
    assert (response.status_code, response.json()) == (404, {"detail": "Room not found"})


def test_a_nul_in_a_room_page_or_socket_path_is_not_found(
    client: TestClient, alice: Member
) -> None:
    client.cookies.set("chat_session", alice.token)
    assert client.get(f"/rooms/{NUL_IN_PATH}").status_code == 404
    client.cookies.clear()
    url = f"/ws/rooms/{NUL_IN_PATH}?ticket={ticket(client, alice)}"
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        client.websocket_connect(url, headers={"origin": ORIGIN}),
    ):
        pass
    assert (refused.value.code, refused.value.reason) == (1008, "unknown room")


def test_a_nul_in_a_new_room_name_is_422(client: TestClient, alice: Member) -> None:
    response = client.post("/api/rooms", json={"name": f"gen{NUL}eral"}, headers=alice.auth)
    assert response.status_code == 422
    assert errors(response.json()) == [(("body", "name"), PATTERN)]
    assert [room["name"] for room in client.get("/api/rooms", headers=alice.auth).json()] == [
        "general"
    ]
