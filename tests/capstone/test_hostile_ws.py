"""Hostile input on the room socket: every bad frame gets an error frame and the socket lives.

In-process (TestClient): a hypothesis-driven stream of garbage frames, each answered with
`{"type": "error", "code": "bad_frame", ...}`, after which a valid message is acked and stored
with the next seq while another member sees only the real messages; the handshake's guards
(Origin allow-list, tickets reused, expired, foreign, garbage; `since` out of range). Against a
real uvicorn (what the test client cannot show): a frame exactly at `CHAT_MAX_MESSAGE_BYTES` is
served and one byte more closes that socket with 1009 while the others carry on; invalid UTF-8
is the protocol's 1007; refused handshakes are HTTP 403, with no traceback in the server's log.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.websockets import WebSocketDisconnect
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus
from websockets.typing import Origin

from capstone.cluster import chat_serve_args
from capstone.main import create_app
from capstone.security import COOKIE_NAME
from tests.capstone.conftest import (
    ORIGIN,
    PASSWORD,
    Databases,
    Member,
    frames_until,
    make_settings,
    sign_up,
    ticket,
)
from tests.capstone.test_state import until
from tests.capstone.wsreader import Reader
from tests.live import LiveServer, free_port, live_server

CLIENT_MSG_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
MAX_TEXT = 4000
LIMIT = 16384  # CHAT_MAX_MESSAGE_BYTES, the default


# ---- in-process: one chat for the module ------------------------------------------------------


class Chat:
    def __init__(self, client: TestClient, alice: Member, bob: Member) -> None:
        self.client = client
        self.alice = alice
        self.bob = bob

    def room(self, name: str) -> str:
        created = self.client.post("/api/rooms", json={"name": name}, headers=self.alice.auth)
        assert created.status_code == 201, created.text
        return name

    def url(self, who: Member, room: str, since: int | str = 0) -> str:
        # A member's socket: join first (idempotent; an unknown room stays unknown).
        self.client.post(f"/api/rooms/{room}/join", headers=who.auth)
        return f"/ws/rooms/{room}?ticket={ticket(self.client, who)}&since={since}"

    def socket(self, url: str, origin: str | None = ORIGIN, **headers: str) -> Any:
        # A new dict every time: the test client adds its own headers to the one it is given.
        return self.client.websocket_connect(url, headers=origin_header(origin) | headers)

    def history(self, room: str) -> list[dict[str, Any]]:
        response = self.client.get(f"/api/rooms/{room}/messages?limit=500", headers=self.alice.auth)
        assert response.status_code == 200, response.text
        return response.json()


def origin_header(origin: str | None) -> dict[str, str]:
    return {} if origin is None else {"origin": origin}


@pytest.fixture(scope="module")
def chat(tmp_path_factory: pytest.TempPathFactory, databases: Databases) -> Iterator[Chat]:
    root = tmp_path_factory.mktemp("hostile-ws")
    app = create_app(make_settings(root, databases, rate_limit_messages=100_000))
    with TestClient(app) as client:
        chat = Chat(client, sign_up(client, "alice"), sign_up(client, "bob"))
        chat.room("lobby")
        yield chat


def refused(chat: Chat, url: str, origin: str | None = ORIGIN, **headers: str) -> tuple[int, Any]:
    """The close code and reason of a handshake that must be refused before accept."""
    with pytest.raises(WebSocketDisconnect) as caught, chat.socket(url, origin, **headers):
        pass
    return caught.value.code, caught.value.reason


# ---- garbage frames ---------------------------------------------------------------------------


def is_valid_frame(raw: str) -> bool:
    """The API's own definition of a client frame, written independently of the server's."""
    try:
        frame = json.loads(raw)
    except (ValueError, RecursionError):  # too deep to be a frame, for anyone
        return False
    if not isinstance(frame, dict):
        return False
    if frame == {"type": "typing"}:
        return True
    if set(frame) != {"type", "text", "client_msg_id"} or frame["type"] != "message":
        return False
    text, cmid = frame["text"], frame["client_msg_id"]
    return (
        isinstance(text, str)
        and 1 <= len(text) <= MAX_TEXT
        and isinstance(cmid, str)
        and CLIENT_MSG_ID.fullmatch(cmid) is not None
    )


SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
HUGE_INTEGERS = st.integers(min_value=2**63, max_value=10**300) | st.integers(max_value=-(2**63))
BAD_IDS = st.text(min_size=0, max_size=80).filter(lambda s: not CLIENT_MSG_ID.fullmatch(s))


def message(**fields: Any) -> dict[str, Any]:
    return {"type": "message", "text": "hi", "client_msg_id": "ok", **fields}


TEXT_FRAMES = st.one_of(
    st.text(max_size=300),  # anything at all
    st.text(max_size=40).map(lambda tail: '{"type": "message", "text": ' + tail),  # cut off
    st.sampled_from(["", " ", "{", "}", "[", '"', "null", "true", "0", "-", "1e999999", "NaN"]),
    JSON_VALUES.map(json.dumps),  # JSON of any shape
    st.builds(message, text=JSON_VALUES).map(json.dumps),  # text of the wrong type
    st.builds(message, client_msg_id=JSON_VALUES | BAD_IDS).map(json.dumps),
    st.builds(message, type=JSON_VALUES | st.text(max_size=12)).map(json.dumps),  # unknown type
    st.sampled_from(
        [  # missing fields
            {},
            {"type": "message"},
            {"type": "message", "text": "hi"},
            {"type": "message", "client_msg_id": "ok"},
            {"text": "hi", "client_msg_id": "ok"},
        ]
    ).map(json.dumps),
    st.integers(MAX_TEXT + 1, MAX_TEXT + 50).map(lambda n: json.dumps(message(text="x" * n))),
    st.just(json.dumps(message(text=""))),
    HUGE_INTEGERS.map(str),
    HUGE_INTEGERS.map(lambda n: json.dumps(message(text=n))),
    HUGE_INTEGERS.map(lambda n: json.dumps({"type": n})),
    st.integers(100, 7000).map(lambda n: "[" * n + "]" * n),  # deep, but under the frame limit
    st.integers(100, 2500).map(lambda n: '{"a":' * n + "0" + "}" * n),
    st.sampled_from(["\\ud800", "\\udfff", "a\\udc00b", "\\ud83d"]).map(
        lambda lone: '{"type": "message", "text": "' + lone + '", "client_msg_id": "s"}'
    ),
    st.builds(message, extra=JSON_VALUES).map(json.dumps),
    st.just('{"type": "typing", "type": "shout"}'),
    st.just(json.dumps({"type": "typing", "user": "mallory"})),  # spoofing someone typing
    st.just(json.dumps(message(author="mallory", seq=1))),  # spoofing author and seq
).filter(lambda raw: not is_valid_frame(raw) and len(raw.encode()) <= LIMIT)

GARBAGE = st.one_of(TEXT_FRAMES, st.binary(max_size=300))


def test_garbage_frames_get_error_frames_and_the_socket_lives(chat: Chat) -> None:
    room = chat.room("garbage")
    sent: list[tuple[str, str]] = []  # (text, client_msg_id) of every valid message, in order

    with chat.socket(chat.url(chat.bob, room)) as watcher:
        assert watcher.receive_json()["type"] == "presence"

        @settings(
            max_examples=60,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(frames=st.lists(GARBAGE, min_size=1, max_size=6))
        def one_socket(frames: list[str | bytes]) -> None:
            with chat.socket(chat.url(chat.alice, room)) as ws:
                frames_until(ws, "presence")
                for frame in frames:
                    if isinstance(frame, bytes):
                        ws.send_bytes(frame)
                    else:
                        ws.send_text(frame)
                number = len(sent) + 1
                ws.send_json(message(text=f"valid {number}", client_msg_id=f"valid-{number}"))
                answers = frames_until(ws, "ack")
                errors, (echo, ack) = answers[:-2], answers[-2:]
                assert len(errors) == len(frames), answers
                for error in errors:
                    assert set(error) == {"type", "code", "detail"}, error
                    assert (error["type"], error["code"]) == ("error", "bad_frame")
                    assert isinstance(error["detail"], str) and error["detail"]
                    assert "Traceback" not in error["detail"]
                assert ack == {"type": "ack", "client_msg_id": f"valid-{number}", "seq": number}
                assert (echo["type"], echo["seq"], echo["author"]) == ("message", number, "alice")
                sent.append((f"valid {number}", f"valid-{number}"))

        one_socket()

        # The other member saw every valid message once, in order, and never an error frame.
        watcher.send_json(message(text="the end", client_msg_id="end"))
        seen = frames_until(watcher, "ack")
    kinds = {frame["type"] for frame in seen}
    assert kinds <= {"presence", "message", "ack"}, kinds
    messages = [(f["seq"], f["author"], f["text"]) for f in seen if f["type"] == "message"]
    everyone = [(n, "alice", text) for n, (text, _) in enumerate(sent, 1)]
    assert messages == [*everyone, (len(sent) + 1, "bob", "the end")]
    stored = [(m["seq"], m["text"], m["client_msg_id"]) for m in chat.history(room)]
    assert stored == [
        *[(n, text, cmid) for n, (text, cmid) in enumerate(sent, 1)],
        (len(sent) + 1, "the end", "end"),
    ]


def test_error_frames_name_the_problem(chat: Chat) -> None:
    room = chat.room("errors")
    cases = {
        "[]": "Input should be an object",
        json.dumps({"type": "shout"}): (
            "Input tag 'shout' found using 'type' does not match any of the expected tags: "
            "'message', 'typing'"
        ),
        json.dumps({"type": "message", "text": "hi"}): "message.client_msg_id: Field required",
        json.dumps(message(text="x" * (MAX_TEXT + 1))): (
            f"message.text: String should have at most {MAX_TEXT} characters"
        ),
        json.dumps(message(client_msg_id="not a uuid!")): (
            "message.client_msg_id: String should match pattern '^[A-Za-z0-9_-]{1,64}$'"
        ),
        json.dumps(message(seq=99)): "message.seq: Extra inputs are not permitted",
    }
    with chat.socket(chat.url(chat.alice, room)) as ws:
        ws.receive_json()
        for raw, detail in cases.items():
            ws.send_text(raw)
            assert ws.receive_json() == {"type": "error", "code": "bad_frame", "detail": detail}
        ws.send_bytes(b"\x00\xff")
        assert ws.receive_json() == {
            "type": "error",
            "code": "bad_frame",
            "detail": "frames are JSON text",
        }
        ws.send_json(message(text="fine", client_msg_id="fine"))
        assert frames_until(ws, "ack")[-1] == {"type": "ack", "client_msg_id": "fine", "seq": 1}


def test_odd_unicode_in_text_is_stored_as_sent(chat: Chat) -> None:
    """Valid JSON, valid frame: stored and echoed exactly (the page renders with textContent).
    A NUL is refused instead (PostgreSQL cannot store it): see test_nul.py."""
    room = chat.room("odd-text")
    texts = [
        "rtl \u202e gnp.exe",
        "zero\u200bwidth",
        "<img src=x onerror=alert(1)>",
    ]
    with chat.socket(chat.url(chat.alice, room)) as ws:
        ws.receive_json()
        for n, text in enumerate(texts, 1):
            ws.send_text(json.dumps(message(text=text, client_msg_id=f"odd-{n}")))
            echo, ack = frames_until(ws, "ack")
            assert (echo["text"], ack["seq"]) == (text, n)
    assert [m["text"] for m in chat.history(room)] == texts


def test_a_frame_at_the_limit_is_served_and_one_byte_more_closes_only_that_socket(
    chat: Chat,
) -> None:
    """In-process the app's own check decides (uvicorn's frame limit sits above it)."""
    room = chat.room("limit")
    with (
        chat.socket(chat.url(chat.bob, room)) as watcher,
        chat.socket(chat.url(chat.alice, room)) as ws,
    ):
        frames_until(watcher, "presence")
        frames_until(ws, "presence")
        frames_until(watcher, "presence")  # alice arrived
        ws.send_text(padded_frame(LIMIT, "at-limit"))
        assert frames_until(ws, "ack")[-1]["seq"] == 1
        ws.send_text(padded_frame(LIMIT + 1, "over"))
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 1009
        assert watcher.receive_json()["seq"] == 1
        assert watcher.receive_json() == {"type": "presence", "room": room, "online": ["bob"]}
        watcher.send_json(message(text="unaffected", client_msg_id="unaffected"))
        assert frames_until(watcher, "ack")[-1]["seq"] == 2
    assert [m["client_msg_id"] for m in chat.history(room)] == ["at-limit", "unaffected"]


# ---- the handshake ----------------------------------------------------------------------------

FOREIGN_ORIGINS = {
    "no origin": None,
    "null": "null",
    "another site": "https://evil.example",
    "look-alike host": "http://testserver.evil.example",
    "upper case": "HTTP://TESTSERVER",
    "trailing slash": "http://testserver/",
    "explicit port": "http://testserver:80",
    "https": "https://testserver",
    "empty": "",
}


@pytest.mark.parametrize("origin", FOREIGN_ORIGINS.values(), ids=list(FOREIGN_ORIGINS))
def test_only_an_exact_allowed_origin_may_open_a_socket(chat: Chat, origin: str | None) -> None:
    """The policy (security.py, capstone-api.md): Origin must equal an allow-list entry; none
    and `null` (sandboxed frames, file: pages) are refused, with a ticket or with the cookie."""
    assert refused(chat, chat.url(chat.alice, "lobby"), origin) == (1008, "origin not allowed")
    cookie = {"cookie": f"{COOKIE_NAME}={chat.alice.token}"}
    assert refused(chat, "/ws/rooms/lobby", origin, **cookie) == (1008, "origin not allowed")


GARBAGE_TICKETS = {
    "empty": "",
    "made up": "x" * 43,
    "huge": "t" * 30_000,
    "nul": "%00",
    "sql": "'%20OR%201=1--",
    "unicode": "%E2%98%95",
}


@pytest.mark.parametrize("value", GARBAGE_TICKETS.values(), ids=list(GARBAGE_TICKETS))
def test_a_garbage_ticket_is_refused(chat: Chat, value: str) -> None:
    assert refused(chat, f"/ws/rooms/lobby?ticket={value}") == (1008, "not authenticated")


def test_a_ticket_is_spent_by_its_first_socket(chat: Chat) -> None:
    room = chat.room("reuse")
    url = chat.url(chat.alice, room)
    with chat.socket(url) as ws:
        assert ws.receive_json()["type"] == "presence"
        assert refused(chat, url) == (1008, "not authenticated")  # not while it is open
    assert refused(chat, url) == (1008, "not authenticated")  # nor after


def test_a_ticket_expires_at_its_lifetime(chat: Chat) -> None:
    room = chat.room("expiry")
    state = chat.client.app.state.chat.state  # type: ignore[attr-defined]
    lifetime = chat.client.app.state.settings.ticket_seconds  # type: ignore[attr-defined]
    now = [1000.0]
    original = state.clock
    state.clock = lambda: now[0]
    try:
        just_in_time = chat.url(chat.alice, room)
        too_late = chat.url(chat.alice, room)
        now[0] += lifetime - 0.001
        with chat.socket(just_in_time) as ws:
            assert ws.receive_json()["type"] == "presence"
        now[0] += 0.001
        assert refused(chat, too_late) == (1008, "not authenticated")
    finally:
        state.clock = original


def test_a_zero_lifetime_ticket_is_never_good(tmp_path: Path, databases: Databases) -> None:
    settings = make_settings(tmp_path, databases, ticket_seconds=0)
    with TestClient(create_app(settings)) as client:
        alice = sign_up(client, "alice")
        client.post("/api/rooms", json={"name": "general"}, headers=alice.auth)
        issued = client.post("/api/auth/ws-ticket", headers=alice.auth).json()
        assert issued["expires_in"] == 0
        url = f"/ws/rooms/general?ticket={issued['ticket']}"
        with (
            pytest.raises(WebSocketDisconnect) as caught,
            client.websocket_connect(url, headers={"origin": ORIGIN}),
        ):
            pass
        assert (caught.value.code, caught.value.reason) == (1008, "not authenticated")


def test_a_ticket_speaks_for_its_owner_whatever_cookie_rides_along(chat: Chat) -> None:
    """Alice's ticket with Bob's login cookie: the socket is Alice's, and Bob is not online."""
    room = chat.room("whose")
    url = chat.url(chat.alice, room)
    with chat.socket(url, cookie=f"{COOKIE_NAME}={chat.bob.token}") as ws:
        assert ws.receive_json() == {"type": "presence", "room": room, "online": ["alice"]}
        ws.send_json(message(text="who am i", client_msg_id="whoami"))
        echo, _ = frames_until(ws, "ack")
        assert echo["author"] == "alice"


def test_a_ticket_from_another_chat_is_refused(
    chat: Chat, tmp_path: Path, databases: Databases
) -> None:
    """Tickets live in one chat's memory: one issued elsewhere (for a user id 1 there too)."""
    with TestClient(create_app(make_settings(tmp_path, databases))) as elsewhere:
        mallory = sign_up(elsewhere, "mallory")
        foreign = ticket(elsewhere, mallory)
    room = chat.room("foreign")
    assert refused(chat, f"/ws/rooms/{room}?ticket={foreign}") == (1008, "not authenticated")


BAD_SINCE = {
    "negative": ("-1", "greater_than_equal"),
    "not a number": ("abc", "int_parsing"),
    "fraction": ("1.5", "int_parsing"),
    "empty": ("", "int_parsing"),
    "2**63": (str(2**63), "less_than_equal"),
    "10**30": (str(10**30), "less_than_equal"),
}


@pytest.mark.parametrize("case", BAD_SINCE, ids=list(BAD_SINCE))
def test_a_bad_since_is_refused_before_accept(chat: Chat, case: str) -> None:
    value, error_type = BAD_SINCE[case]
    code, reason = refused(chat, chat.url(chat.alice, "lobby", since=value))
    assert code == 1008
    [error] = reason  # FastAPI's refusal carries the validation errors
    assert (error["type"], error["loc"]) == (error_type, ["query", "since"])


@pytest.fixture(scope="module")
def since_room(chat: Chat) -> str:
    room = chat.room("general-since")
    for n in (1, 2, 3):
        sent = chat.client.post(
            f"/api/rooms/{room}/messages",
            json={"text": f"m{n}", "client_msg_id": f"c{n}"},
            headers=chat.alice.auth,
        )
        assert sent.json()["seq"] == n
    return room


def test_since_at_the_head_sends_nothing_old_then_live(chat: Chat, since_room: str) -> None:
    with chat.socket(chat.url(chat.bob, since_room, since=3)) as ws:
        assert ws.receive_json()["type"] == "presence"
        ws.send_json(message(text="live", client_msg_id="at-head"))
        echo, ack = frames_until(ws, "ack")
        assert (echo["seq"], ack["seq"]) == (4, 4)


@pytest.mark.parametrize("since", [1000, 2**63 - 1])
def test_since_beyond_the_head_still_gets_live_messages(
    chat: Chat, since_room: str, since: int
) -> None:
    with chat.socket(chat.url(chat.bob, since_room, since=since)) as ws:
        assert ws.receive_json()["type"] == "presence"
        ws.send_json(message(text="ahead", client_msg_id=f"ahead-{since}"))
        frames = frames_until(ws, "ack")
        assert [frame["type"] for frame in frames] == ["message", "ack"]


# ---- against a real uvicorn -------------------------------------------------------------------

LIVE_LIMIT = 1024  # a small CHAT_MAX_MESSAGE_BYTES keeps the frames small


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("hostile-live")
    port = free_port()
    env = {
        "CHAT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'chat.db'}",
        "CHAT_SECRET_KEY": "hostile-live-secret-key-0123456789-abcdef",
        "CHAT_UPLOAD_DIR": str(tmp / "uploads"),
        "CHAT_ALLOWED_ORIGINS": json.dumps([f"http://127.0.0.1:{port}"]),
        "CHAT_MAX_MESSAGE_BYTES": str(LIVE_LIMIT),
        "CHAT_RATE_LIMIT_MESSAGES": "100000",
    }
    args = chat_serve_args(LIVE_LIMIT)  # as every other run of the chat
    with live_server("capstone.main:app", env=env, args=args, port=port) as running:
        yield running


def no_app_errors(server: LiveServer) -> None:
    """Nothing reached uvicorn's last-resort handler or the chat's own 500 handler."""
    assert "Exception in ASGI application" not in server.output, server.output
    assert "unhandled error" not in server.output, server.output


class Account:
    def __init__(self, server: LiveServer, username: str) -> None:
        self.server = server
        self.username = username
        with httpx2.Client(base_url=server.url, trust_env=False) as http:
            registered = http.post(
                "/api/auth/register", json={"username": username, "password": PASSWORD}
            )
            assert registered.status_code == 201, registered.text
            token = http.post("/api/auth/token", data={"username": username, "password": PASSWORD})
            self.auth = {"Authorization": f"Bearer {token.json()['access_token']}"}
            joined = http.post("/api/rooms", json={"name": "live"}, headers=self.auth)
            if joined.status_code == 409:
                joined = http.post("/api/rooms/live/join", headers=self.auth)
            assert joined.is_success, joined.text

    def url(self, since: int | str = 0) -> str:
        with httpx2.Client(base_url=self.server.url, trust_env=False) as http:
            ticket = http.post("/api/auth/ws-ticket", headers=self.auth).json()["ticket"]
        return f"{self.server.ws_url}/ws/rooms/live?ticket={ticket}&since={since}"

    def socket(self, since: int = 0) -> Any:
        return connect(
            self.url(since), origin=Origin(self.server.url), compression=None, proxy=None
        )


@pytest.fixture(scope="module")
def accounts(server: LiveServer) -> dict[str, Account]:
    return {name: Account(server, name) for name in ("sender", "witness")}


def padded_frame(size: int, cmid: str) -> str:
    """A valid message frame of exactly `size` UTF-8 bytes (JSON allows the padding spaces)."""
    head = '{"type":"message","client_msg_id":"' + cmid + '","text":"'
    text = "😀" * min(MAX_TEXT, (size - len(head) - 2) // 4)  # four bytes a character
    frame = head + text + '"'
    frame += " " * (size - len(frame.encode()) - 1) + "}"
    assert len(frame.encode()) == size and is_valid_frame(frame)
    return frame


@pytest.mark.server
@pytest.mark.asyncio
async def test_a_frame_at_the_limit_is_served_and_one_byte_more_is_1009(
    server: LiveServer, accounts: dict[str, Account]
) -> None:
    sender, witness = accounts["sender"], accounts["witness"]
    async with witness.socket() as witness_ws, sender.socket() as sender_ws:
        watching, sending = Reader(witness_ws).start(), Reader(sender_ws).start()
        await sender_ws.send(padded_frame(LIVE_LIMIT, "at-limit"))
        seq = await sending.wait_for(lambda _: sending.acks().get("at-limit"))
        await watching.wait_for(lambda _: seq in watching.seqs())

        await sender_ws.send(padded_frame(LIVE_LIMIT + 1, "over"))
        await sending.wait_for(lambda _: sending.closed_code is not None)
        assert sending.closed_code == 1009
        assert sending.acks().get("over") is None

        # The witness is unaffected: it keeps sending and receiving.
        await witness_ws.send(json.dumps(message(text="still here", client_msg_id="after")))
        assert await watching.wait_for(lambda _: watching.acks().get("after")) == seq + 1
    async with sender.socket(since=seq) as back_ws:  # the closed one resumes with `since`
        back = Reader(back_ws).start()
        await back.wait_for(lambda _: seq + 1 in back.seqs())
        assert back.seqs() == [seq + 1]
    no_app_errors(server)


@pytest.mark.server
@pytest.mark.asyncio
async def test_invalid_utf8_in_a_text_frame_is_1007_and_nobody_else_notices(
    server: LiveServer, accounts: dict[str, Account]
) -> None:
    """The protocol layer refuses it, the app never sees a lone surrogate, and the server's log
    has one line for it: a client's mistake, not a traceback."""
    sender, witness = accounts["sender"], accounts["witness"]
    async with witness.socket() as witness_ws, sender.socket() as sender_ws:
        watching, sending = Reader(witness_ws).start(), Reader(sender_ws).start()
        # Two at once: the second meets a socket already closing, which must stay quiet too.
        await sender_ws.send(b'{"type":"message","text":"\xed\xa0\x80"}', text=True)
        await sender_ws.send(b"\xff\xfe", text=True)
        await sending.wait_for(lambda _: sending.closed_code is not None)
        assert sending.closed_code == 1007
        await witness_ws.send(json.dumps(message(text="fine", client_msg_id="utf8-after")))
        assert await watching.wait_for(lambda _: watching.acks().get("utf8-after"))
    line = "a text frame that is not UTF-8: closed with 1007"

    async def logged() -> bool:  # the server's output reaches us through a pipe: wait for it
        return line in server.output

    await until(logged, "the server's log line")
    no_app_errors(server)
    assert "Traceback" not in server.output, server.output
    assert server.output.count(line) == 1


async def refused_status(url: str, origin: str | None) -> int:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(url, origin=Origin(origin) if origin else None, proxy=None):
            pass
    return refused.value.response.status_code


@pytest.mark.server
@pytest.mark.asyncio
async def test_refused_handshakes_are_403_over_the_wire(
    server: LiveServer, accounts: dict[str, Account]
) -> None:
    sender = accounts["sender"]
    assert await refused_status(sender.url(), "null") == 403
    assert await refused_status(sender.url(), None) == 403
    assert await refused_status(sender.url(), "http://127.0.0.1") == 403  # another port
    for since in ["-1", "abc", str(2**63)]:
        assert await refused_status(sender.url(since=since), server.url) == 403
    huge_ticket = f"{server.ws_url}/ws/rooms/live?ticket={'t' * 6000}"
    assert await refused_status(huge_ticket, server.url) == 403
    async with sender.socket() as ws:  # and the door still opens for the right credentials
        reader = Reader(ws).start()
        await reader.wait_for(lambda _: any(f["type"] == "presence" for f in reader.frames))
    no_app_errors(server)
