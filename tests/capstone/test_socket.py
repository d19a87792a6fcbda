"""The room socket in-process: the handshake's guards, frames, ordering and catch-up, presence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from capstone.main import create_app
from capstone.security import COOKIE_NAME
from tests.capstone.conftest import (
    ORIGIN,
    Databases,
    Member,
    frames_until,
    make_room,
    make_settings,
    sign_up,
    ticket,
)

HEADERS = {"origin": ORIGIN}


def connect(client: TestClient, who: Member, room: str = "general", since: int = 0):
    """A member's socket: joins the room first (idempotent), as the page's join button does."""
    joined = client.post(f"/api/rooms/{room}/join", headers=who.auth)
    assert joined.status_code == 200, joined.text
    return client.websocket_connect(
        f"/ws/rooms/{room}?ticket={ticket(client, who)}&since={since}", headers=dict(HEADERS)
    )


def say(ws: WebSocketTestSession, text: str, cmid: str) -> dict[str, Any]:
    ws.send_json({"type": "message", "text": text, "client_msg_id": cmid})
    return frames_until(ws, "ack")[-1]


def post(client: TestClient, who: Member, text: str, cmid: str) -> int:
    response = client.post(
        "/api/rooms/general/messages", json={"text": text, "client_msg_id": cmid}, headers=who.auth
    )
    assert response.status_code == 201
    return response.json()["seq"]


@pytest.fixture
def alice(client: TestClient) -> Member:
    who = sign_up(client, "alice")
    make_room(client, who)
    return who


# ---- the door ------------------------------------------------------------------------------


def refused(client: TestClient, url: str, headers: dict[str, str] | None = None) -> int:
    with (
        pytest.raises(WebSocketDisconnect) as caught,
        client.websocket_connect(url, headers=dict(headers or {})),
    ):
        pass
    return caught.value.code


def test_refused_before_accept(client: TestClient, alice: Member) -> None:
    good = ticket(client, alice)
    assert refused(client, f"/ws/rooms/general?ticket={good}") == 1008  # no Origin
    assert (
        refused(client, f"/ws/rooms/general?ticket={good}", {"origin": "https://evil.example"})
        == 1008
    )
    assert refused(client, "/ws/rooms/general", HEADERS) == 1008  # no credentials
    assert refused(client, "/ws/rooms/general?ticket=made-up", HEADERS) == 1008
    # A token is not a ticket: long-lived tokens never go in a URL.
    assert refused(client, f"/ws/rooms/general?ticket={alice.token}", HEADERS) == 1008
    assert refused(client, f"/ws/rooms/nowhere?ticket={ticket(client, alice)}", HEADERS) == 1008


def test_a_ticket_is_single_use(client: TestClient, alice: Member) -> None:
    one = ticket(client, alice)
    with client.websocket_connect(f"/ws/rooms/general?ticket={one}", headers=dict(HEADERS)) as ws:
        assert ws.receive_json()["type"] == "presence"
    assert refused(client, f"/ws/rooms/general?ticket={one}", HEADERS) == 1008


def test_a_socket_joins_nothing_a_non_member_is_refused(client: TestClient, alice: Member) -> None:
    bob = sign_up(client, "bob")
    url = f"/ws/rooms/general?ticket={ticket(client, bob)}"
    assert refused(client, url, HEADERS) == 1008
    client.cookies.set("chat_session", bob.token)  # the page's cookie: refused all the same
    try:
        assert refused(client, "/ws/rooms/general", HEADERS) == 1008
    finally:
        client.cookies.clear()
    rooms = client.get("/api/rooms", headers=bob.auth).json()
    assert rooms == [{"name": "general", "member": False}]


def test_an_expired_ticket_is_refused(client: TestClient, alice: Member) -> None:
    state = client.app.state.chat.state  # type: ignore[attr-defined]
    old = ticket(client, alice)
    now = state.clock()
    state.clock = lambda: now + 31
    assert refused(client, f"/ws/rooms/general?ticket={old}", HEADERS) == 1008


def test_the_login_cookie_opens_the_socket(client: TestClient, alice: Member) -> None:
    client.cookies.set(COOKIE_NAME, alice.token)
    with client.websocket_connect("/ws/rooms/general", headers=dict(HEADERS)) as ws:
        assert ws.receive_json() == {"type": "presence", "room": "general", "online": ["alice"]}
    assert refused(client, "/ws/rooms/general", {"origin": "https://evil.example"}) == 1008


def test_a_cap_on_sockets_per_user(tmp_path: Path, databases: Databases) -> None:
    with TestClient(
        create_app(make_settings(tmp_path, databases, max_sockets_per_user=2))
    ) as client:
        alice = sign_up(client, "alice")
        make_room(client, alice)
        with connect(client, alice) as one, connect(client, alice) as two:
            one.receive_json()
            two.receive_json()
            assert (
                refused(client, f"/ws/rooms/general?ticket={ticket(client, alice)}", HEADERS)
                == 1008
            )
        with connect(client, alice) as again:  # closing them frees the places
            assert again.receive_json()["type"] == "presence"


# ---- frames -----------------------------------------------------------------------------------


def test_message_is_stored_acked_and_fanned_out(client: TestClient, alice: Member) -> None:
    bob = sign_up(client, "bob")
    with connect(client, alice) as a, connect(client, bob) as b:
        frames_until(a, "presence")
        frames_until(b, "presence")
        a.receive_json()  # presence: bob arrived
        a.send_json({"type": "message", "text": "hello @bob", "client_msg_id": "c-1"})
        message, ack = a.receive_json(), a.receive_json()
        assert ack == {"type": "ack", "client_msg_id": "c-1", "seq": 1}
        assert {k: v for k, v in message.items() if k != "sent_at"} == {
            "type": "message",
            "room": "general",
            "seq": 1,
            "author": "alice",
            "text": "hello @bob",
            "client_msg_id": "c-1",
        }
        assert b.receive_json() == message  # the very same frame
    history = client.get("/api/rooms/general/messages", headers=bob.auth).json()
    assert [(m["seq"], m["text"]) for m in history] == [(1, "hello @bob")]
    mentions = client.get("/api/users/me/mentions", headers=bob.auth).json()
    assert [m["seq"] for m in mentions] == [1]


def test_a_resend_gets_the_same_seq_and_stores_nothing(client: TestClient, alice: Member) -> None:
    bob = sign_up(client, "bob")
    with connect(client, alice) as a, connect(client, bob) as b:
        frames_until(a, "presence"), frames_until(b, "presence"), a.receive_json()
        assert say(a, "once", "dup")["seq"] == 1
        assert b.receive_json()["seq"] == 1
        a.send_json({"type": "message", "text": "once", "client_msg_id": "dup"})
        # The same seq back; no second copy of a message this socket has shown already.
        assert frames_until(a, "ack") == [{"type": "ack", "client_msg_id": "dup", "seq": 1}]
        assert say(a, "next", "new")["seq"] == 2
        assert b.receive_json()["seq"] == 2  # bob never saw seq 1 twice
    assert len(client.get("/api/rooms/general/messages", headers=alice.auth).json()) == 2


BAD_FRAMES = {
    "not json": ("{nope", "bad_frame"),
    "unknown type": (json.dumps({"type": "shout"}), "bad_frame"),
    "missing id": (json.dumps({"type": "message", "text": "hi"}), "bad_frame"),
    "empty text": (json.dumps({"type": "message", "text": "", "client_msg_id": "a"}), "bad_frame"),
    "extra field": (json.dumps({"type": "typing", "admin": True}), "bad_frame"),
}


@pytest.mark.parametrize("case", BAD_FRAMES, ids=list(BAD_FRAMES))
def test_a_bad_frame_gets_an_error_and_the_socket_lives(
    client: TestClient, alice: Member, case: str
) -> None:
    raw, code = BAD_FRAMES[case]
    with connect(client, alice) as ws:
        ws.receive_json()
        ws.send_text(raw)
        error = ws.receive_json()
        assert error["type"] == "error" and error["code"] == code
        assert error["detail"]
        assert say(ws, "still here", "ok")["seq"] == 1


def test_binary_frames_are_refused(client: TestClient, alice: Member) -> None:
    with connect(client, alice) as ws:
        ws.receive_json()
        ws.send_bytes(b"\x00\x01")
        assert ws.receive_json() == {
            "type": "error",
            "code": "bad_frame",
            "detail": "frames are JSON text",
        }


def test_an_oversize_frame_closes_that_socket_with_1009(client: TestClient, alice: Member) -> None:
    bob = sign_up(client, "bob")
    with connect(client, alice) as a, connect(client, bob) as b:
        frames_until(a, "presence"), frames_until(b, "presence"), a.receive_json()
        b.send_text(json.dumps({"type": "message", "text": "x" * 20000, "client_msg_id": "big"}))
        with pytest.raises(WebSocketDisconnect) as closed:
            b.receive_json()
        assert closed.value.code == 1009
        assert a.receive_json() == {"type": "presence", "room": "general", "online": ["alice"]}
        assert say(a, "unaffected", "ok")["seq"] == 1


def test_flooding_past_the_rate_limit_gets_error_frames(
    tmp_path: Path, databases: Databases
) -> None:
    with TestClient(
        create_app(make_settings(tmp_path, databases, rate_limit_messages=3))
    ) as client:
        alice = sign_up(client, "alice")
        make_room(client, alice)
        with connect(client, alice) as ws:
            ws.receive_json()
            for n in range(3):
                assert say(ws, f"m{n}", f"c{n}")["seq"] == n + 1
            ws.send_json({"type": "message", "text": "flood", "client_msg_id": "c3"})
            assert ws.receive_json() == {
                "type": "error",
                "code": "rate_limited",
                "detail": "too many messages: slow down",
            }
        history = client.get("/api/rooms/general/messages", headers=alice.auth).json()
        assert [m["text"] for m in history] == ["m0", "m1", "m2"]


def test_a_socket_refused_a_budgets_worth_in_a_row_is_read_again_when_it_has_room(
    tmp_path: Path, databases: Databases
) -> None:
    """Past its budget, a client that sends on is answered `rate_limited` as many times as the
    budget holds; then it is not read until the budget has room, so its next frame is stored
    (not refused as well, costing the server an answer for every frame of a flood)."""
    settings = make_settings(
        tmp_path, databases, rate_limit_messages=2, rate_limit_window_seconds=0.5
    )
    with TestClient(create_app(settings)) as client:
        alice = sign_up(client, "alice")
        make_room(client, alice)
        with connect(client, alice) as ws:
            ws.receive_json()
            for n in range(5):
                ws.send_json({"type": "message", "text": f"m{n}", "client_msg_id": f"c{n}"})
            answers: list[dict[str, object]] = []
            while sum(frame["type"] == "ack" for frame in answers) < 3:
                frame = ws.receive_json()
                if frame["type"] != "message":  # the room's copies of her own messages
                    answers.append(frame)
            kinds = [frame.get("code", frame["type"]) for frame in answers]
            assert kinds == ["ack", "ack", "rate_limited", "rate_limited", "ack"]
            assert answers[-1] == {"type": "ack", "client_msg_id": "c4", "seq": 3}
        history = client.get("/api/rooms/general/messages", headers=alice.auth).json()
        assert [m["text"] for m in history] == ["m0", "m1", "m4"]


def test_typing_goes_to_the_others(client: TestClient, alice: Member) -> None:
    bob = sign_up(client, "bob")
    with connect(client, alice) as a, connect(client, bob) as b:
        frames_until(a, "presence"), frames_until(b, "presence"), a.receive_json()
        a.send_json({"type": "typing"})
        assert b.receive_json() == {"type": "typing", "room": "general", "user": "alice"}
        # No echo of her own typing: the next frames alice sees are her message and its ack.
        a.send_json({"type": "message", "text": "x", "client_msg_id": "y"})
        assert [f["type"] for f in frames_until(a, "ack")] == ["message", "ack"]
        assert b.receive_json()["type"] == "message"


def test_presence_on_join_and_leave(client: TestClient, alice: Member) -> None:
    bob = sign_up(client, "bob")
    with connect(client, alice) as a:
        assert a.receive_json() == {"type": "presence", "room": "general", "online": ["alice"]}
        with connect(client, bob) as b:
            online = {"type": "presence", "room": "general", "online": ["alice", "bob"]}
            assert b.receive_json() == online
            assert a.receive_json() == online
        assert a.receive_json() == {"type": "presence", "room": "general", "online": ["alice"]}


# ---- ordering and catch-up -------------------------------------------------------------------


def test_since_gets_exactly_what_was_missed_then_live(client: TestClient, alice: Member) -> None:
    for n in range(1, 6):
        post(client, alice, f"m{n}", f"c{n}")
    bob = sign_up(client, "bob")
    with connect(client, bob, since=2) as b:
        caught_up = frames_until(b, "presence")
        assert [(f["type"], f.get("seq")) for f in caught_up] == [
            ("message", 3),
            ("message", 4),
            ("message", 5),
            ("presence", None),
        ]
        post(client, alice, "m6", "c6")
        assert b.receive_json()["seq"] == 6
    with connect(client, bob, since=6) as b:
        assert b.receive_json()["type"] == "presence"  # nothing missed, nothing repeated


def test_live_messages_during_catch_up_are_neither_lost_nor_repeated(
    client: TestClient, alice: Member
) -> None:
    """Messages published while the history is being read arrive once, in order."""
    for n in range(1, 4):
        post(client, alice, f"m{n}", f"c{n}")
    chat = client.app.state.chat  # type: ignore[attr-defined]
    source = chat.hub.source
    read_history = source.frames_after

    async def more_then_read(room_id: int, after: int, limit: int) -> list[tuple[int, str]]:
        # Following the room, history not yet read: two more messages land now, once.
        if source.frames_after is more_then_read:
            source.frames_after = read_history
            from capstone.chat import find_room, post_message
            from capstone.models import User

            async with chat.sessionmaker() as session:
                room = await find_room(session, "general")
                user = await session.get(User, 1)
            assert room is not None and user is not None
            for n in (4, 5):
                await post_message(chat, room, user, f"m{n}", f"c{n}")
        return await read_history(room_id, after, limit)

    source.frames_after = more_then_read
    bob = sign_up(client, "bob")
    with connect(client, bob, since=1) as b:
        frames = frames_until(b, "presence")
    # 4 and 5 were both in the database and in the live buffer: each is sent once.
    assert [f.get("seq") for f in frames] == [2, 3, 4, 5, None]


def test_a_bad_since_is_refused_before_accept(client: TestClient, alice: Member) -> None:
    url = f"/ws/rooms/general?ticket={ticket(client, alice)}&since=-1"
    assert refused(client, url, HEADERS) == 1008
