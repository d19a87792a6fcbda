"""Limits on a request's head, against a real uvicorn serving the chat as `python -m capstone` does
(`capstone.server.ChatHttpProtocol`): what no in-process client can send, sent on raw sockets.

A head of exactly `CHAT_MAX_HEADER_BYTES` is served and one byte more is 431, as is one header
too many, one huge header (whole, or still arriving), and the attack's 512 headers of 8 KB; a
head that stops half-way is closed (with a 408) once `CHAT_HEADER_TIMEOUT_SECONDS` have passed,
a hundred of them at once too, and so is a connection that never sends a byte. A body that stops
arriving for `CHAT_BODY_IDLE_SECONDS` gets 408 and is closed; one that keeps arriving slowly is
served. Ordinary requests,
keep-alive and the WebSocket handshake go through as before, and nothing of this leaves a
traceback in the server's log.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from websockets.asyncio.client import connect
from websockets.typing import Origin

from capstone.cluster import chat_serve_args
from tests.capstone.conftest import PASSWORD
from tests.live import LiveServer, free_port, live_server

pytestmark = pytest.mark.server

MAX_BYTES = 16384  # CHAT_MAX_HEADER_BYTES, the default
MAX_COUNT = 100  # CHAT_MAX_HEADER_COUNT, the default
TIMEOUT = 1.0  # CHAT_HEADER_TIMEOUT_SECONDS of the `impatient` server
WITHIN = 15.0  # generous bound on anything the server must do by itself


def chat_env(tmp: Path, port: int, **extra: str) -> dict[str, str]:
    return {
        "CHAT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'chat.db'}",
        "CHAT_SECRET_KEY": "header-limits-secret-key-0123456789-abcdef",
        "CHAT_UPLOAD_DIR": str(tmp / "uploads"),
        "CHAT_ALLOWED_ORIGINS": json.dumps([f"http://127.0.0.1:{port}"]),
        **extra,
    }


def serve(tmp: Path, **extra: str) -> Iterator[LiveServer]:
    port = free_port()
    env = chat_env(tmp, port, **extra)
    args = chat_serve_args(16384)
    # A generous start: on a busy machine importing the app alone can take half a minute.
    with live_server("capstone.main:app", env=env, args=args, port=port, ready_timeout=50) as up:
        yield up
    # Stopped: its output is complete, late lines included.
    assert_clean_log(up)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    yield from serve(tmp_path_factory.mktemp("headers"))


@pytest.fixture(scope="module")
def impatient(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("headers-timeout")
    yield from serve(
        tmp, CHAT_HEADER_TIMEOUT_SECONDS=str(TIMEOUT), CHAT_BODY_IDLE_SECONDS=str(TIMEOUT)
    )


def assert_clean_log(server: LiveServer) -> None:
    assert "Traceback" not in server.output, server.output
    assert "Exception in ASGI application" not in server.output, server.output


# ---- raw HTTP ------------------------------------------------------------------------------------


def head(*fields: tuple[str, str], target: str = "/healthz") -> bytes:
    """A GET's request line and headers, the connection closed after the answer."""
    lines = [f"GET {target} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in fields]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def padded(size: int) -> bytes:
    """A head of exactly `size` bytes: one padding header filling what the others leave."""
    bare = len(head(("X-Pad", "")))
    return head(("X-Pad", "p" * (size - bare)))


def read_to_eof(sock: socket.socket, within: float = WITHIN) -> bytes:
    """Everything the server sends until it closes the connection, which it must within bound."""
    deadline = time.monotonic() + within
    received = b""
    while True:
        sock.settimeout(max(deadline - time.monotonic(), 0.001))
        chunk = sock.recv(65536)  # a socket.timeout here: the server never closed
        if not chunk:
            return received
        received += chunk


def exchange(server: LiveServer, *parts: bytes) -> bytes:
    """Send `parts` (each its own write) on a new connection; all the server answers."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=WITHIN) as sock:
        for part in parts:
            sock.sendall(part)
        return read_to_eof(sock)


def parse(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    top, _, body = raw.partition(b"\r\n\r\n")
    status_line, *lines = top.decode("latin-1").split("\r\n")
    fields = dict(line.split(": ", 1) for line in lines)
    return int(status_line.split()[1]), {k.lower(): v for k, v in fields.items()}, body


def assert_refused(raw: bytes, status: int, detail: str) -> None:
    code, fields, body = parse(raw)
    assert code == status, raw[:500]
    assert fields["content-type"] == "application/json"
    assert fields["connection"] == "close"
    assert int(fields["content-length"]) == len(body)
    assert json.loads(body) == {"detail": detail}


def assert_too_large(raw: bytes) -> None:
    assert_refused(raw, 431, "Request Header Fields Too Large")


# ---- size and count ------------------------------------------------------------------------------


def test_a_head_at_the_byte_limit_is_served_and_one_byte_more_is_431(server: LiveServer) -> None:
    at_limit = padded(MAX_BYTES)
    assert len(at_limit) == MAX_BYTES
    status, _, body = parse(exchange(server, at_limit))
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    assert_too_large(exchange(server, padded(MAX_BYTES + 1)))
    assert_clean_log(server)


def test_the_header_count_limit(server: LiveServer) -> None:
    # Host and Connection are two of them.
    extra = [(f"X-Field-{n}", "x") for n in range(MAX_COUNT - 2)]
    status, _, _ = parse(exchange(server, head(*extra)))
    assert status == 200
    assert_too_large(exchange(server, head(*extra, ("X-One-Too-Many", "x"))))
    assert_clean_log(server)


def test_one_huge_header_is_431(server: LiveServer) -> None:
    assert_too_large(exchange(server, head(("Cookie", "c" * 1024 * 1024))))
    assert_clean_log(server)


def test_the_attacks_512_headers_of_8_kb_are_431(server: LiveServer) -> None:
    fields = [(f"X-Big-{n}", "b" * 8192) for n in range(512)]
    assert_too_large(exchange(server, head(*fields)))
    assert_clean_log(server)


def test_a_header_that_never_ends_is_refused_once_past_the_limit(server: LiveServer) -> None:
    """The parser holds an unfinished header out of sight: the bytes read are what is counted."""
    start = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Endless: "
    pieces = [b"e" * 1024] * (2 * MAX_BYTES // 1024)  # twice the limit, and never a line end
    assert_too_large(exchange(server, start, *pieces))
    assert_clean_log(server)


# ---- time ----------------------------------------------------------------------------------------

HALF = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: "


def assert_timed_out(raw: bytes) -> None:
    """Closed, with a 408 if the server had read the half request by the deadline: a new
    connection's clock runs from its start, and a busy server may read a request late."""
    if raw:
        assert_refused(raw, 408, "Request Timeout")


def test_a_head_that_stops_half_way_is_closed(impatient: LiveServer) -> None:
    started = time.monotonic()
    raw = exchange(impatient, HALF)
    assert time.monotonic() - started >= TIMEOUT / 2  # its deadline, not at once
    assert_timed_out(raw)
    assert_clean_log(impatient)


def test_a_connection_that_never_sends_is_closed(impatient: LiveServer) -> None:
    assert exchange(impatient) == b""  # no request, no answer: only the close
    assert_clean_log(impatient)


def test_the_clock_is_per_request_on_a_kept_alive_connection(impatient: LiveServer) -> None:
    kept = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    with socket.create_connection(("127.0.0.1", impatient.port), timeout=WITHIN) as sock:
        sock.sendall(kept)
        answer = b""
        while not answer.endswith(b'{"status":"ok"}'):
            chunk = sock.recv(65536)
            assert chunk, answer
            answer += chunk
        assert parse(answer)[0] == 200
        # The next request, half of it: its clock starts as it is read, so this one is a 408.
        sock.sendall(HALF)
        assert_refused(read_to_eof(sock), 408, "Request Timeout")
    assert_clean_log(impatient)


@pytest.mark.asyncio
async def test_a_hundred_half_sent_requests_are_all_closed(impatient: LiveServer) -> None:
    async def half_sent() -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", impatient.port)
        try:
            writer.write(HALF)
            await writer.drain()
            return await asyncio.wait_for(reader.read(), WITHIN)  # read() is up to EOF
        finally:
            writer.close()
            await writer.wait_closed()

    answers = await asyncio.gather(*(half_sent() for _ in range(100)))
    for raw in answers:
        assert_timed_out(raw)
    assert_clean_log(impatient)


# ---- a body that stops arriving ------------------------------------------------------------------


def post_head(target: str, content_type: str, length: int) -> bytes:
    fields = [("Content-Type", content_type), ("Content-Length", str(length))]
    return head(*fields, target=target).replace(b"GET", b"POST", 1)


@pytest.mark.parametrize(
    ("target", "content_type", "body"),
    [
        ("/api/auth/register", "application/json", b'{"username": "slow", "pass'),
        ("/api/auth/token", "application/x-www-form-urlencoded", b"username=slow&passw"),
        ("/login", "application/x-www-form-urlencoded", b"username=slow&passw"),
    ],
)
def test_a_body_that_stops_half_way_is_408_and_closed(
    impatient: LiveServer, target: str, content_type: str, body: bytes
) -> None:
    started = time.monotonic()
    raw = exchange(impatient, post_head(target, content_type, len(body) * 2) + body)
    assert time.monotonic() - started >= TIMEOUT / 2  # its deadline, not at once
    status, fields, answer = parse(raw)
    assert status == 408, raw[:500]
    assert fields["connection"] == "close"
    assert json.loads(answer) == {"detail": f"The request body stopped arriving for {TIMEOUT:g} s"}
    assert_clean_log(impatient)


def test_a_body_that_keeps_arriving_slowly_is_served(impatient: LiveServer) -> None:
    body = json.dumps({"username": "steady-sender", "password": PASSWORD}).encode()
    pieces = [body[n : n + 8] for n in range(0, len(body), 8)]
    with socket.create_connection(("127.0.0.1", impatient.port), timeout=WITHIN) as sock:
        sock.sendall(post_head("/api/auth/register", "application/json", len(body)))
        for piece in pieces:  # the whole body takes longer than the idle limit, each gap less
            time.sleep(TIMEOUT / 5)  # the client's pace, not a wait for the server
            sock.sendall(piece)
        status, _, answer = parse(read_to_eof(sock))
    assert (status, json.loads(answer)["username"]) == (201, "steady-sender")
    assert_clean_log(impatient)


# ---- what must still work ------------------------------------------------------------------------


def test_ordinary_requests_and_keep_alive(server: LiveServer) -> None:
    with httpx2.Client(base_url=server.url, trust_env=False) as http:
        for _ in range(3):  # one connection, kept alive
            assert http.get("/healthz").json() == {"status": "ok"}
        assert http.get("/login").status_code == 200
    assert_clean_log(server)


def test_a_body_read_with_its_head_is_not_counted_as_head(server: LiveServer) -> None:
    """Head and a body well over the header limit in one write: the body is the app's business."""
    body = json.dumps({"username": "u" * 40_000, "password": PASSWORD}).encode()
    fields = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    raw = head(*fields, target="/api/auth/register").replace(b"GET", b"POST", 1) + body
    status, _, answer = parse(exchange(server, raw))
    assert status == 422, answer  # the app's own verdict on a username that long
    assert_clean_log(server)


def ticket_url(server: LiveServer, username: str) -> str:
    with httpx2.Client(base_url=server.url, trust_env=False) as http:
        http.post("/api/auth/register", json={"username": username, "password": PASSWORD})
        token = http.post("/api/auth/token", data={"username": username, "password": PASSWORD})
        auth = {"Authorization": f"Bearer {token.json()['access_token']}"}
        created = http.post("/api/rooms", json={"name": "headers"}, headers=auth)
        assert created.status_code in {201, 409}, created.text
        http.post("/api/rooms/headers/join", headers=auth)
        ticket = http.post("/api/auth/ws-ticket", headers=auth).json()["ticket"]
    return f"{server.ws_url}/ws/rooms/headers?ticket={ticket}&since=0"


@pytest.mark.parametrize("padding", [0, 8000])
@pytest.mark.asyncio
async def test_the_websocket_handshake_still_works(server: LiveServer, padding: int) -> None:
    extra = {"X-Pad": "p" * padding} if padding else None
    url = ticket_url(server, f"walker{padding}")
    async with connect(
        url,
        origin=Origin(server.url),
        additional_headers=extra,
        compression=None,
        proxy=None,
        open_timeout=WITHIN,
    ) as ws:
        frame: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), WITHIN))
        assert frame["type"] == "presence"
    assert_clean_log(server)


@pytest.mark.parametrize("where", ["target", "header"])
def test_a_handshake_line_past_the_socket_parsers_limit_is_431_not_silence(
    server: LiveServer, where: str
) -> None:
    """The socket's handshake is parsed again with a limit of 8 KiB a line: a longer line, within
    the head's limits, is refused with 431 where it used to get no answer at all."""
    upgrade = [
        ("Upgrade", "websocket"),
        ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ("Sec-WebSocket-Version", "13"),
        ("Origin", server.url),
    ]
    long = "t" * 9000
    if where == "target":
        raw = head(*upgrade, target=f"/ws/rooms/headers?ticket={long}")
    else:
        raw = head(*upgrade, ("Authorization", f"Bearer {long}"))
    raw = raw.replace(b"Connection: close", b"Connection: Upgrade")
    assert_too_large(exchange(server, raw))
    assert_clean_log(server)
