"""Against a real uvicorn: what the in-process client cannot show.

Handshake refusals as a browser or a script meets them, 1009 from the protocol layer, history that
survives a restart, a reader that stops reading being evicted while everyone else keeps receiving,
and peers that vanish mid-broadcast costing the sender nothing.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import struct
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus
from websockets.typing import Origin

from capstone.cluster import OnLoopback, chat_serve_args
from tests.capstone.conftest import PASSWORD
from tests.capstone.wsreader import Reader
from tests.live import LiveServer, free_port, live_server

pytestmark = pytest.mark.server

MAX_MESSAGE = 16384
SERVE_ARGS = chat_serve_args(MAX_MESSAGE)  # as `python -m capstone` serves it
BIG_TEXT = "😀" * 4000  # 4000 characters, 16 000 bytes: the largest message there is


def chat_server(
    tmp: Path, port: int | None = None, **env: str
) -> AbstractContextManager[LiveServer]:
    port = port or free_port()
    settings = {
        "CHAT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'chat.db'}",
        "CHAT_SECRET_KEY": "live-test-secret-key-0123456789-abcdefghij",
        "CHAT_UPLOAD_DIR": str(tmp / "uploads"),
        "CHAT_ALLOWED_ORIGINS": json.dumps([f"http://127.0.0.1:{port}"]),
        "CHAT_MAX_MESSAGE_BYTES": str(MAX_MESSAGE),
        "CHAT_RATE_LIMIT_MESSAGES": "100000",
        **env,
    }
    return live_server("capstone.main:app", env=settings, args=SERVE_ARGS, port=port)


@dataclass
class Account:
    server: OnLoopback  # a uvicorn of the chat, or the nginx in front of several
    username: str
    token: str

    def ticket(self) -> str:
        with httpx2.Client(base_url=self.server.url, trust_env=False) as http:
            response = http.post("/api/auth/ws-ticket", headers=self.auth)
        assert response.status_code == 200, response.text
        return response.json()["ticket"]

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def url(self, room: str = "general", since: int = 0, ticket: str | None = None) -> str:
        return (
            f"{self.server.ws_url}/ws/rooms/{room}?ticket={ticket or self.ticket()}&since={since}"
        )

    def socket(self, room: str = "general", since: int = 0) -> Any:
        return connect(
            self.url(room, since), origin=Origin(self.server.url), compression=None, proxy=None
        )


def account(server: OnLoopback, username: str, room: str | None = "general") -> Account:
    with httpx2.Client(base_url=server.url, trust_env=False) as http:
        http.post("/api/auth/register", json={"username": username, "password": PASSWORD})
        token = http.post("/api/auth/token", data={"username": username, "password": PASSWORD})
        assert token.status_code == 200, token.text
        who = Account(server, username, token.json()["access_token"])
        if room:
            created = http.post("/api/rooms", json={"name": room}, headers=who.auth)
            if created.status_code == 409:
                http.post(f"/api/rooms/{room}/join", headers=who.auth)
    return who


async def say(ws: ClientConnection, reader: Reader, text: str, cmid: str) -> int:
    frame = {"type": "message", "text": text, "client_msg_id": cmid}
    await ws.send(json.dumps(frame, ensure_ascii=False))  # UTF-8, not 12-byte escapes
    return await reader.wait_for(lambda _: reader.acks().get(cmid))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with chat_server(tmp_path_factory.mktemp("live")) as running:
        yield running


# ---- the door -----------------------------------------------------------------------------------


async def refused_status(url: str, origin: str | None) -> int:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(url, origin=Origin(origin) if origin else None, proxy=None):
            pass
    return refused.value.response.status_code


@pytest.mark.asyncio
async def test_handshake_refusals(server: LiveServer) -> None:
    alice = account(server, "door-alice", room="door")
    assert await refused_status(alice.url("door"), "https://evil.example") == 403
    assert await refused_status(alice.url("door"), None) == 403
    no_ticket = f"{server.ws_url}/ws/rooms/door"
    assert await refused_status(no_ticket, server.url) == 403
    token_in_url = f"{server.ws_url}/ws/rooms/door?ticket={alice.token}"
    assert await refused_status(token_in_url, server.url) == 403

    ticket = alice.ticket()
    async with connect(
        alice.url("door", ticket=ticket), origin=Origin(server.url), proxy=None
    ) as ws:
        assert json.loads(await ws.recv())["type"] == "presence"
    assert await refused_status(alice.url("door", ticket=ticket), server.url) == 403  # reused


@pytest.mark.asyncio
async def test_an_expired_ticket_is_refused(tmp_path: Path) -> None:
    with chat_server(tmp_path, CHAT_TICKET_SECONDS="0") as instant:
        alice = account(instant, "alice")
        assert await refused_status(alice.url(), instant.url) == 403


# ---- frames too large ---------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [MAX_MESSAGE + 200, MAX_MESSAGE + 5000])
async def test_an_oversize_frame_closes_only_that_socket_with_1009(
    server: LiveServer, size: int
) -> None:
    """Just over the limit the app closes it; far over it, uvicorn's frame limit does."""
    alice = account(server, f"big-alice-{size}", room="big")
    bob = account(server, f"big-bob-{size}", room="big")
    async with alice.socket("big") as a_ws, bob.socket("big") as b_ws:
        a, b = Reader(a_ws).start(), Reader(b_ws).start()
        await b_ws.send(json.dumps({"type": "message", "text": "x" * size, "client_msg_id": "b"}))
        await b.wait_for(lambda _: b.closed_code is not None)
        assert b.closed_code == 1009
        seq = await say(a_ws, a, "still fine", f"ok-{size}")
        assert seq in a.seqs()


# ---- restart ------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_history_survives_a_restart(tmp_path: Path) -> None:
    with chat_server(tmp_path) as first:
        alice = account(first, "alice")
        async with alice.socket() as ws:
            reader = Reader(ws).start()
            for n in range(3):
                await say(ws, reader, f"before restart {n}", f"r{n}")
    with chat_server(tmp_path) as second:  # same database, same secret, a new process
        alice = Account(second, "alice", alice.token)  # the kept secret: the token still works
        async with alice.socket(since=1) as ws:
            reader = Reader(ws).start()
            await reader.wait_for(lambda frames: any(f["type"] == "presence" for f in frames))
            assert [(f["seq"], f["text"]) for f in reader.frames if f["type"] == "message"] == [
                (2, "before restart 1"),
                (3, "before restart 2"),
            ]
            assert await say(ws, reader, "after restart", "r3") == 4


# ---- ordering and catch-up ----------------------------------------------------------------------


@pytest.mark.asyncio
async def test_concurrent_senders_and_a_reconnect_with_since(server: LiveServer) -> None:
    writers = [account(server, f"order-{n}", room="order") for n in range(4)]
    watcher_account = account(server, "order-watcher", room="order")
    async with watcher_account.socket("order") as watch_ws:
        watcher = Reader(watch_ws).start()

        async def write(who: Account) -> list[int]:
            async with who.socket("order") as ws:
                reader = Reader(ws).start()
                return [await say(ws, reader, f"{who.username} {n}", f"{who.username}-{n}")
                        for n in range(15)]  # fmt: skip

        per_writer = await asyncio.gather(*(write(who) for who in writers))
        for seqs in per_writer:
            assert seqs == sorted(seqs)
        assert sorted(s for seqs in per_writer for s in seqs) == list(range(1, 61))
        await watcher.wait_for(lambda _: len(watcher.seqs()) >= 60)
        assert watcher.seqs() == list(range(1, 61))  # strictly increasing, no gap, no repeat

    # The watcher was away for 61..65; it comes back with since=60.
    async with writers[0].socket("order") as ws:
        reader = Reader(ws).start()
        for n in range(61, 66):
            await say(ws, reader, f"missed {n}", f"missed-{n}")
        async with watcher_account.socket("order", since=60) as back_ws:
            back = Reader(back_ws).start()
            await back.wait_for(lambda frames: any(f["type"] == "presence" for f in frames))
            await say(ws, reader, "live", "live-66")
            await back.wait_for(lambda _: 66 in back.seqs())
            assert back.seqs() == [61, 62, 63, 64, 65, 66]


# ---- slow and vanishing readers -----------------------------------------------------------------


def raw_socket(account: Account, room: str, rcvbuf: int = 4096) -> socket.socket:
    """A client that completes the handshake and then never reads: its buffers fill up."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.settimeout(10)
    sock.connect(("127.0.0.1", account.server.port))
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET /ws/rooms/{room}?ticket={account.ticket()} HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{account.server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        f"Origin: {account.server.url}\r\n\r\n"
    )
    sock.sendall(request.encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    assert head.startswith(b"HTTP/1.1 101"), head
    return sock


def read_frames(sock: socket.socket, within: float = 30) -> Iterator[tuple[int, bytes]]:
    """The server's frames on a raw socket, as (opcode, payload), until it closes or `within`."""
    sock.settimeout(within)
    buffer = b""

    def take(count: int) -> bytes:
        nonlocal buffer
        while len(buffer) < count:
            chunk = sock.recv(1 << 16)
            if not chunk:
                raise EOFError("the server closed the connection")
            buffer += chunk
        taken, buffer = buffer[:count], buffer[count:]
        return taken

    while True:
        first, second = take(2)
        length = second & 0x7F  # frames from a server are never masked
        if length == 126:
            length = struct.unpack("!H", take(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", take(8))[0]
        opcode, payload = first & 0x0F, take(length)
        yield opcode, payload
        if opcode == 0x8:
            return


CLOSE = 0x8


def online(frames: list[dict[str, Any]]) -> list[str] | None:
    presence = [f for f in frames if f["type"] == "presence"]
    return presence[-1]["online"] if presence else None


@pytest.mark.asyncio
async def test_a_reader_that_stops_reading_is_evicted_and_nobody_else_waits(
    tmp_path: Path,
) -> None:
    with chat_server(tmp_path, CHAT_MAX_SOCKET_BACKLOG="8") as server:
        sender, watcher_account, stalled = (
            account(server, name) for name in ("sender", "watcher", "stalled")
        )
        async with sender.socket() as send_ws, watcher_account.socket() as watch_ws:
            mine, watcher = Reader(send_ws).start(), Reader(watch_ws).start()
            stuck = raw_socket(stalled, "general")
            try:
                await watcher.wait_for(lambda f: online(f) == ["sender", "stalled", "watcher"])
                sent = 0
                while online(watcher.frames) != ["sender", "watcher"]:
                    sent += 1
                    assert sent <= 3000, "the stalled reader was never evicted"
                    assert await say(send_ws, mine, BIG_TEXT, f"big-{sent}") == sent
                # Everyone else got every message, in order, while the stalled one was stuck.
                await watcher.wait_for(lambda _: len(watcher.seqs()) >= sent)
                assert watcher.seqs() == list(range(1, sent + 1))
                assert mine.seqs() == list(range(1, sent + 1))
                assert await say(send_ws, mine, "after the eviction", "after") == sent + 1
                await watcher.wait_for(lambda _: sent + 1 in watcher.seqs())
                # It reads again: what was already on its way, then the close 1013, and nothing
                # it could mistake for the room's full history (it resumes with `since`).
                frames = await asyncio.to_thread(lambda: list(read_frames(stuck)))
                opcode, payload = frames[-1]
                assert opcode == CLOSE and struct.unpack("!H", payload[:2])[0] == 1013
                seqs = [json.loads(p)["seq"] for o, p in frames[:-1] if b'"message"' in p]
                assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) < sent
            finally:
                stuck.close()


@pytest.mark.asyncio
async def test_a_reader_that_pauses_and_resumes_keeps_its_socket_and_gets_everything(
    tmp_path: Path,
) -> None:
    """Its sends have to wait (megabytes more than the buffers hold), and are finished later."""
    count = 300  # × 16 kB: far more than the kernel's and the transport's buffers take
    with chat_server(tmp_path, CHAT_MAX_SOCKET_BACKLOG=str(count + 10)) as server:
        sender, pauser = account(server, "sender"), account(server, "pauser")
        async with sender.socket() as send_ws:
            mine = Reader(send_ws).start()
            paused = raw_socket(pauser, "general")
            try:
                await mine.wait_for(lambda f: online(f) == ["pauser", "sender"])
                for n in range(1, count + 1):
                    assert await say(send_ws, mine, BIG_TEXT, f"big-{n}") == n
                seqs: list[int] = []

                def read_everything() -> None:
                    for opcode, payload in read_frames(paused):
                        assert opcode != CLOSE, payload
                        if b'"message"' in payload:
                            seqs.append(json.loads(payload)["seq"])
                            if len(seqs) == count:
                                return

                await asyncio.to_thread(read_everything)
                assert seqs == list(range(1, count + 1))
                assert online(mine.frames) == ["pauser", "sender"]  # never evicted
            finally:
                paused.close()


@pytest.mark.asyncio
async def test_peers_vanishing_mid_broadcast_cost_the_sender_nothing(server: LiveServer) -> None:
    sender = account(server, "churn-sender", room="churn")
    watcher_account = account(server, "churn-watcher", room="churn")
    peers = [account(server, f"churn-peer-{n}", room="churn") for n in range(5)]
    async with sender.socket("churn") as send_ws, watcher_account.socket("churn") as watch_ws:
        mine, watcher = Reader(send_ws).start(), Reader(watch_ws).start()
        raws = [raw_socket(peer, "churn", rcvbuf=1 << 16) for peer in peers]
        await watcher.wait_for(lambda f: len(online(f) or []) == 7)
        for n in range(1, 41):
            if n == 10:
                for raw in raws:  # vanish with a reset, no close handshake, mid-stream
                    raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    raw.close()
            await send_ws.send(
                json.dumps({"type": "message", "text": f"m{n}", "client_msg_id": f"c{n}"})
            )
        await mine.wait_for(lambda _: len(mine.acks()) == 40)
        assert sorted(mine.acks().values()) == list(range(1, 41))
        await watcher.wait_for(lambda _: len(watcher.seqs()) == 40)
        assert watcher.seqs() == list(range(1, 41))
        await watcher.wait_for(lambda f: online(f) == ["churn-sender", "churn-watcher"])
        assert await say(send_ws, mine, "still connected", "c41") == 41
