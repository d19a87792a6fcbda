"""Login sessions that end: logging out ends that login on every request and socket, and a
deleted account's tokens, sessions and sockets end with it, while its messages stay."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from capstone.security import COOKIE_NAME
from tests.capstone.conftest import (
    ORIGIN,
    PASSWORD,
    Member,
    frames_until,
    make_room,
    sign_up,
    ticket,
)

HEADERS = {"origin": ORIGIN}


def log_in_again(client: TestClient, who: Member) -> Member:
    """A second login of the same user (another device): a session of its own."""
    response = client.post("/api/auth/token", data={"username": who.username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return Member(who.username, response.json()["access_token"])


def me(client: TestClient, who: Member) -> int:
    return client.get("/api/users/me", headers=who.auth).status_code


def socket_of(client: TestClient, who: Member, room: str = "general"):
    return client.websocket_connect(
        f"/ws/rooms/{room}?ticket={ticket(client, who)}", headers=dict(HEADERS)
    )


def closed_with(ws) -> int:
    """Read until the server closes the socket; its close code."""
    with pytest.raises(WebSocketDisconnect) as closed:
        while True:
            ws.receive_json()
    return closed.value.code


def test_logging_out_ends_that_login_and_no_other(
    client: TestClient, member: Callable[..., Member]
) -> None:
    phone = member("alice")
    laptop = log_in_again(client, phone)
    assert me(client, phone) == me(client, laptop) == 200

    out = client.post("/api/auth/logout", headers=phone.auth)
    assert (out.status_code, out.content) == (204, b"")
    assert me(client, phone) == 401
    assert client.post("/api/auth/ws-ticket", headers=phone.auth).status_code == 401
    assert client.post("/api/auth/logout", headers=phone.auth).status_code == 401  # once
    assert me(client, laptop) == 200


def test_a_ticket_issued_before_logging_out_opens_nothing(
    client: TestClient, member: Callable[..., Member]
) -> None:
    alice = member("alice")
    make_room(client, alice)
    early = ticket(client, alice)
    assert client.post("/api/auth/logout", headers=alice.auth).status_code == 204
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        client.websocket_connect(f"/ws/rooms/general?ticket={early}", headers=dict(HEADERS)),
    ):
        pass
    assert refused.value.code == 1008


def test_logging_out_closes_that_logins_sockets_with_1008(
    client: TestClient, member: Callable[..., Member]
) -> None:
    phone = member("alice")
    laptop = log_in_again(client, phone)
    make_room(client, phone)
    with socket_of(client, phone) as phone_ws, socket_of(client, laptop) as laptop_ws:
        frames_until(phone_ws, "presence")
        frames_until(laptop_ws, "presence")
        assert client.post("/api/auth/logout", headers=phone.auth).status_code == 204
        assert closed_with(phone_ws) == 1008
        # The laptop's socket is another login: it stays, and still sends.
        laptop_ws.send_json({"type": "message", "text": "still here", "client_msg_id": "l-1"})
        assert frames_until(laptop_ws, "ack")[-1]["seq"] == 1


def test_the_page_logout_ends_the_login_too(client: TestClient) -> None:
    client.post(
        "/register",
        data={"username": "alice", "password": PASSWORD},
        headers={"Origin": ORIGIN},
        follow_redirects=False,
    )
    cookie = client.cookies.get(COOKIE_NAME)
    assert cookie and client.get("/api/users/me").status_code == 200
    out = client.post("/logout", headers={"Origin": ORIGIN}, follow_redirects=False)
    assert out.status_code == 303
    # The same cookie, kept by someone who copied it, is refused: the login itself ended.
    client.cookies.clear()
    stolen = Member("alice", cookie)
    assert me(client, stolen) == 401
    client.cookies.set(COOKIE_NAME, cookie)
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"


def test_a_deleted_accounts_token_never_signs_anyone_in(
    client: TestClient, member: Callable[..., Member]
) -> None:
    alice = member("alice")
    other_login = log_in_again(client, alice)
    make_room(client, alice)
    sent = client.post(
        "/api/rooms/general/messages",
        json={"text": "remember me", "client_msg_id": "m1"},
        headers=alice.auth,
    )
    assert sent.status_code == 201
    gone = client.delete("/api/users/me", headers=alice.auth)
    assert (gone.status_code, gone.content) == (204, b"")
    assert me(client, alice) == me(client, other_login) == 401

    # The next people to sign up, even under the same name, get ids and logins of their own.
    newcomer = member("newcomer")
    again = member("alice")
    ids = {client.get("/api/users/me", headers=who.auth).json()["id"] for who in (newcomer, again)}
    assert 1 not in ids
    assert me(client, alice) == 401
    assert client.get("/api/users/me", headers=again.auth).json()["username"] == "alice"

    # The message stays in the room, under a name no one can sign up with or log in as.
    client.post("/api/rooms/general/join", headers=again.auth)
    [message] = client.get("/api/rooms/general/messages", headers=again.auth).json()
    assert (message["text"], message["author"]) == ("remember me", "deleted user 1")
    login = client.post("/api/auth/token", data={"username": "deleted user 1", "password": ""})
    assert login.status_code in (401, 422)
    taken = client.post(
        "/api/auth/register", json={"username": "deleted user 1", "password": PASSWORD}
    )
    assert taken.status_code == 422


def test_deleting_an_account_closes_its_sockets_and_leaves_its_rooms(
    client: TestClient, member: Callable[..., Member]
) -> None:
    alice, bob = member("alice"), member("bob")
    make_room(client, alice)
    client.post("/api/rooms/general/join", headers=bob.auth)
    with socket_of(client, alice) as alice_ws, socket_of(client, bob) as bob_ws:
        frames_until(alice_ws, "presence")
        while frames_until(bob_ws, "presence")[-1]["online"] != ["alice", "bob"]:
            pass
        assert client.delete("/api/users/me", headers=alice.auth).status_code == 204
        assert closed_with(alice_ws) == 1008
        assert frames_until(bob_ws, "presence")[-1]["online"] == ["bob"]
    rooms = client.get("/api/rooms", headers=bob.auth).json()
    assert rooms == [{"name": "general", "member": True}]
    # A mention of the old name records nothing for anyone.
    client.post(
        "/api/rooms/general/messages",
        json={"text": "bye @alice", "client_msg_id": "b1"},
        headers=bob.auth,
    )
    newcomer = sign_up(client, "alice")
    assert client.get("/api/users/me/mentions", headers=newcomer.auth).json() == []
