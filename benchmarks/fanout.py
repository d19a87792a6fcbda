"""WebSocket fan-out: the capstone against lesson 17's `ConnectionManager`, interleaved, as ratios.

    python -m benchmarks.fanout [--readers 1000] [--rate 50] [--seconds 5] [--repeats 6]
                                [--users 10] [--no-stall] [--no-knee] [--fit] [--workers-compare]
    make bench

Each server is its own uvicorn process under the options it ships with, every thread pinned to
core 0; this process, the load generator, runs on core 1. The baseline is lesson 17's loop
(`benchmarks.baseline_app:app`, websockets-sansio, no compression); the capstone is served exactly
as `python -m capstone` serves it (its own HTTP and WebSocket protocol classes, no compression,
the frame limit it computes), on a fresh SQLite file, storing every message. One room, N readers
(over several accounts for the capstone) and one sender, who stamps each message with its send
time. The readers are raw asyncio protocols that parse the server's frames themselves, so that
the client can keep up with tens of thousands of deliveries a second.

Per repeat, on a fresh server process each: the server's CPU per delivery (user and system time
from /proc, over the sending phase, divided by the deliveries counted at the readers), latency
p50/p99, messages lost, and resident memory per idle socket. The repeats alternate which server
goes first; the figures are the capstone/loop ratios of each repeat, their median and range.
Then, once per server: the stall check (one reader that never reads among 20 healthy ones) and
the knee (the highest rate at N=500 with p99 <= 250 ms and nothing lost). Everything goes to
`benchmarks/results/fanout.json`; a table is printed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import hashlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import httpx2

from capstone.__main__ import FRAME_MARGIN
from capstone.cluster import (
    Postgres,
    Redis,
    Worker,
    fresh_database,
    postgres_missing,
    redis_missing,
    running_postgres,
    running_redis,
)
from capstone.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
TICKS = os.sysconf("SC_CLK_TCK")
SERVER_CORE, CLIENT_CORE = 0, 1
WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
ROOM = "bench"
ORIGIN = "http://bench.local"
# About the length of a capstone login token (a signed JWT) for these accounts.
LOGIN_TOKEN_LENGTH = 291
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
CONNECT_TIMEOUT = 30.0
# At most this many handshakes in flight: a burst of a thousand SYNs would overflow the listen
# backlog and cost seconds of retransmission instead of measuring anything.
CONNECTING_AT_ONCE = 64
# The stall check's texts: about 4 KiB a frame, under the capstone's limit of 4000 characters.
STALL_TEXT = 3950


# ---- the server process, seen from /proc ---------------------------------------------------------


def cpu_times(pid: int) -> tuple[float, float]:
    """User and system seconds of the whole process (every thread): fields 14 and 15 of stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # After the ")" that ends the command name, field 3 (state) is index 0: 14 and 15 are 11, 12.
    return int(fields[11]) / TICKS, int(fields[12]) / TICKS


def cpu_sum(pids: Sequence[int]) -> tuple[float, float]:
    times = [cpu_times(pid) for pid in pids]
    return sum(t[0] for t in times), sum(t[1] for t in times)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def pin(pid: int, core: int) -> None:
    """Every thread the process has now; threads it starts later inherit their parent's mask."""
    if core >= (os.cpu_count() or 1):
        return
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):  # a thread that ended meanwhile
            os.sched_setaffinity(int(task.name), {core})


def cores_used(pid: int) -> list[int]:
    """The union of every thread's allowed cores: [0] when the pinning held."""
    cores: set[int] = set()
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                cores |= os.sched_getaffinity(int(task.name))
    return sorted(cores)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """One uvicorn process on a free loopback port, pinned to the server core.

    Its output is read by a thread and kept with the time each line arrived: the capstone logs a
    warning when it evicts a socket, and that time is the stall check's best witness.
    """

    def __init__(self, app: str, args: Sequence[str], env: dict[str, str]) -> None:
        self.port = free_port()
        self.command = [
            sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(self.port),
            *args, "--log-level", "warning", "--no-access-log",
        ]  # fmt: skip
        self.env = env
        self.lines: list[tuple[float, str]] = []
        self.process: subprocess.Popen[str] | None = None
        self.deadline = 0.0

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def launch(self) -> None:
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        # Popen returns once the child has exec'd Python, before it can start a thread: pinning
        # its one thread now pins every thread it will have.
        pin(self.pid, SERVER_CORE)
        threading.Thread(target=self._read, args=(self.process,), daemon=True).start()
        self.deadline = time.monotonic() + START_TIMEOUT

    def ready(self) -> bool:
        """Whether it accepts connections yet; raises once it died or the deadline passed."""
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(f"server exited with {self.process.returncode}: {self.output}")
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", self.port), 0.2).close()
            pin(self.pid, SERVER_CORE)  # the same mask again, in case a thread slipped through
            return True
        if time.monotonic() > self.deadline:
            raise RuntimeError(f"server did not start within {START_TIMEOUT} s: {self.output}")
        return False

    async def start(self) -> None:
        self.launch()
        while True:
            if self.ready():
                return
            await asyncio.sleep(0.05)  # a start-up poll with a deadline

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self.lines.append((time.monotonic(), line.rstrip()))

    @property
    def output(self) -> str:
        return " | ".join(line for _, line in self.lines[-5:])

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(STOP_TIMEOUT)

    def complaints(self) -> list[str]:
        return [line for _, line in self.lines if line.strip()]


@contextlib.contextmanager
def server(app: str, env: dict[str, str], ws_max_size: int = 65536) -> Iterator[tuple[int, int]]:
    """For `benchmarks.flood`: uvicorn on websockets-sansio without compression; (port, pid)."""
    args = ["--ws", "websockets-sansio", "--ws-per-message-deflate", "false"]
    process = ServerProcess(app, [*args, "--ws-max-size", str(ws_max_size)], server_env(env))
    process.launch()
    try:
        while not process.ready():
            time.sleep(0.05)  # a start-up poll with a deadline
        yield process.port, process.pid
    finally:
        process.stop()


async def wait_idle(pid: int, *, quiet: float = 0.5, bound: float = 10.0) -> float:
    """Wait until the server's CPU time stops moving for `quiet` seconds (at most one clock tick
    in that window), or `bound` seconds at most. Returns the seconds waited, negative when the
    bound ran out. A poll with a deadline: there is no event to wait for in another process."""
    began = time.monotonic()
    last = sum(cpu_times(pid))
    still_since = began
    while True:
        await asyncio.sleep(0.1)
        now = time.monotonic()
        spent = sum(cpu_times(pid))
        if spent - last > 1.5 / TICKS:
            last, still_since = spent, now
        elif now - still_since >= quiet:
            return round(now - began, 2)
        if now - began > bound:
            return -round(now - began, 2)


# ---- the two servers -------------------------------------------------------------------------


class Target:
    """How to start one server, reach its room, and wrap a text in the frame it expects."""

    key = ""
    name = ""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.cookies: list[str] = []
        self.acks_expected = False

    def server(self, workdir: Path) -> ServerProcess:
        raise NotImplementedError

    async def prepare(self, port: int) -> None:
        pass

    def path(self) -> str:
        raise NotImplementedError

    def headers(self, reader: int) -> list[tuple[str, str]]:
        return []

    def frame(self, text: str) -> bytes:
        return text.encode()


def server_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CHAT_REDIS_URL"}
    return {**env, **extra}


class Loop(Target):
    key = "loop"
    name = "lesson 17 loop"

    def server(self, workdir: Path) -> ServerProcess:
        args = ["--ws", "websockets-sansio", "--ws-per-message-deflate", "false"]
        return ServerProcess("benchmarks.baseline_app:app", args, server_env({}))

    def path(self) -> str:
        return "/ws"

    def headers(self, reader: int) -> list[tuple[str, str]]:
        # The same handshake a reader sends the capstone: a browser sends its cookies and origin
        # to any server, and uvicorn keeps a socket's handshake headers for the socket's life, so
        # idle memory is compared on equal requests. The loop reads neither.
        return [("Cookie", "chat_session=" + "x" * LOGIN_TOKEN_LENGTH), ("Origin", ORIGIN)]


class Capstone(Target):
    key = "capstone"
    name = "capstone"

    def __init__(self, args: argparse.Namespace) -> None:
        super().__init__(args)
        self.acks_expected = True

    def server(self, workdir: Path) -> ServerProcess:
        env = server_env(
            {
                "CHAT_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'chat.db'}",
                "CHAT_SECRET_KEY": "benchmark-secret-" + "x" * 32,
                "CHAT_UPLOAD_DIR": str(workdir / "uploads"),
                "CHAT_ALLOWED_ORIGINS": json.dumps([ORIGIN]),
                # Many readers per account and a sender far over a person's budget: raised.
                "CHAT_MAX_SOCKETS_PER_USER": str(self.args.readers + 100),
                "CHAT_RATE_LIMIT_MESSAGES": "100000000",
                "CHAT_REGISTRATIONS_PER_ADDRESS": "100000",
            }
        )
        # The options `python -m capstone` passes to uvicorn, from the same constants.
        max_message = Settings().max_message_bytes
        args = [
            "--http", "capstone.server:ChatHttpProtocol",
            "--ws", "capstone.server:ChatWebSocketProtocol",
            "--ws-per-message-deflate", "false",
            "--ws-max-size", str(max_message + FRAME_MARGIN),
        ]  # fmt: skip
        return ServerProcess("capstone.main:app", args, env)

    async def prepare(self, port: int) -> None:
        """Accounts, a room the first one creates, the others joining it; a login cookie each."""
        self.cookies = []
        async with httpx2.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            for n in range(max(1, self.args.users)):
                user = {"username": f"bench-{n}", "password": "benchmark-password"}
                (await client.post("/api/auth/register", json=user)).raise_for_status()
                token = await client.post("/api/auth/token", data=user)
                access = token.raise_for_status().json()["access_token"]
                self.cookies.append(f"chat_session={access}")
                auth = {"Authorization": f"Bearer {access}"}
                if n == 0:
                    made = await client.post("/api/rooms", json={"name": ROOM}, headers=auth)
                    made.raise_for_status()
                else:
                    joined = await client.post(f"/api/rooms/{ROOM}/join", headers=auth)
                    joined.raise_for_status()

    def path(self) -> str:
        # A fresh database per server process: the room is empty when its readers arrive, and
        # each phase's messages carry a tag of their own.
        return f"/ws/rooms/{ROOM}?since=0"

    def headers(self, reader: int) -> list[tuple[str, str]]:
        return [("Cookie", self.cookies[reader % len(self.cookies)]), ("Origin", ORIGIN)]

    def frame(self, text: str) -> bytes:
        frame = {"type": "message", "text": text, "client_msg_id": str(uuid.uuid4())}
        return json.dumps(frame).encode()


# ---- the load generator: WebSocket clients as raw asyncio protocols ------------------------------


def client_frame(opcode: int, payload: bytes) -> bytes:
    """One final frame as a client must send it: masked with a fresh key."""
    length = len(payload)
    if length < 126:
        head = bytes((0x80 | opcode, 0x80 | length))
    elif length < 1 << 16:
        head = bytes((0x80 | opcode, 0x80 | 126)) + length.to_bytes(2, "big")
    else:
        head = bytes((0x80 | opcode, 0x80 | 127)) + length.to_bytes(8, "big")
    key = os.urandom(4)
    repeated = (key * (length // 4 + 1))[:length]
    masked = int.from_bytes(payload, "little") ^ int.from_bytes(repeated, "little")
    return head + key + masked.to_bytes(length, "little")


@dataclass
class Tally:
    """What the readers of one phase received: a tag marks this phase's messages."""

    expected: int = 0
    marker: bytes = b"\x00"  # matches nothing until a phase sets its tag
    total: int = 0
    latencies_ns: list[int] = field(default_factory=list)
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def reset(self, tag: str, expected: int) -> None:
        self.marker = tag.encode() + b" "
        self.expected = expected
        self.total = 0
        self.latencies_ns = []
        self.done = asyncio.Event()
        if expected <= 0:
            self.done.set()


class Peer(asyncio.Protocol):
    """A WebSocket client: the upgrade done by hand, then the server's frames parsed in place.

    Server frames are unmasked; a text frame is searched for this phase's marker rather than
    decoded as JSON (the marker, with its trailing space, cannot occur in any other field: the
    other texts are ours, and ids carry no spaces). After the marker come the message's index and
    its send time in nanoseconds, each followed by a space. A ping is answered with a masked pong
    (uvicorn's keepalive), a close is recorded with its code and answered.
    """

    def __init__(self, path: str, port: int, headers: list[tuple[str, str]], tally: Tally) -> None:
        self.tally = tally
        key = base64.b64encode(os.urandom(16))
        self.accept = base64.b64encode(hashlib.sha1(key + WS_GUID).digest())
        lines = [
            f"GET {path} HTTP/1.1",
            f"Host: 127.0.0.1:{port}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key.decode()}",
            "Sec-WebSocket-Version: 13",
            *(f"{name}: {value}" for name, value in headers),
        ]
        self.request = ("\r\n".join(lines) + "\r\n\r\n").encode()
        self.transport: asyncio.Transport | None = None
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.lost: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.upgraded = False
        self.pending = b""
        self.fragments: list[bytes] = []
        self.got = 0  # this phase's messages
        self.last_stamp_ns = 0
        self.texts = 0  # every text frame, of any kind
        self.acks = 0
        self.errors = 0
        self.close_code: int | None = None
        self.close_at = 0.0  # monotonic time the close frame was parsed
        self.bytes_in = 0

    # -- asyncio's callbacks --

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports have asyncio.Transport's methods without being its subclass.
        self.transport = cast(asyncio.Transport, transport)
        self.transport.write(self.request)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(ConnectionError(f"closed during the handshake: {exc}"))
        if not self.lost.done():
            self.lost.set_result(None)

    def data_received(self, data: bytes) -> None:
        self.bytes_in += len(data)
        if not self.upgraded:
            data = self._handshake(data)
            if not data:
                return
        now = time.time_ns()
        if self.pending:
            data = self.pending + data
            self.pending = b""
        pos, end = 0, len(data)
        while end - pos >= 2:
            first, second = data[pos], data[pos + 1]
            length = second & 0x7F
            head = pos + 2
            if length == 126:
                if end - head < 2:
                    break
                length = int.from_bytes(data[head : head + 2], "big")
                head += 2
            elif length == 127:
                if end - head < 8:
                    break
                length = int.from_bytes(data[head : head + 8], "big")
                head += 8
            if second & 0x80:
                self._fail("the server masked a frame")
                return
            stop = head + length
            if stop > end:
                break
            opcode = first & 0x0F
            if opcode == 1 and first & 0x80:
                self._text(data, head, stop, now)
            elif opcode < 3:  # a fragment of a text or binary message, or its continuation
                self.fragments.append(data[head:stop])
                if first & 0x80:
                    whole = b"".join(self.fragments)
                    self.fragments = []
                    self._text(whole, 0, len(whole), now)
            elif opcode == 9:
                self.send(10, data[head:stop])
            elif opcode == 8:
                self._closed(data[head:stop])
            pos = stop
        if pos < end:
            self.pending = data[pos:]

    # -- the parts --

    def _handshake(self, data: bytes) -> bytes:
        self.pending += data
        end = self.pending.find(b"\r\n\r\n")
        if end < 0:
            if len(self.pending) > 65536:
                self._fail("no end to the handshake's response")
            return b""
        head, rest = self.pending[:end], self.pending[end + 4 :]
        self.pending = b""
        status = head.split(b"\r\n", 1)[0]
        accepted = b"sec-websocket-accept: " + self.accept.lower() in head.lower()
        if not status.startswith(b"HTTP/1.1 101") or not accepted:
            self._fail(f"refused: {head!r}")
            return b""
        self.upgraded = True
        self.opened.set_result(None)
        return rest

    def _text(self, data: bytes, start: int, stop: int, now: int) -> None:
        self.texts += 1
        tally = self.tally
        at = data.find(tally.marker, start, stop)
        if at < 0:
            self._other(data, start, stop)
            return
        index_end = data.index(b" ", at + len(tally.marker), stop)
        stamp_end = data.index(b" ", index_end + 1, stop)
        stamp = int(data[index_end + 1 : stamp_end])
        self.last_stamp_ns = stamp
        self.got += 1
        tally.latencies_ns.append(now - stamp)
        tally.total += 1
        if tally.total == tally.expected:
            tally.done.set()

    def _other(self, data: bytes, start: int, stop: int) -> None:
        """A frame that is not this phase's message: the sender counts its acks and errors."""

    def _closed(self, payload: bytes) -> None:
        self.close_code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
        self.close_at = time.monotonic()
        self.send(8, payload[:2])
        if self.transport is not None:
            self.transport.close()

    def _fail(self, why: str) -> None:
        if not self.opened.done():
            self.opened.set_exception(ConnectionError(why))
        if self.transport is not None:
            self.transport.abort()

    def send(self, opcode: int, payload: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(client_frame(opcode, payload))

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()


class Sender(Peer):
    """The sender hears its own messages too (both servers send them to every socket): they are
    not deliveries. It counts the capstone's acks and error frames instead."""

    def _text(self, data: bytes, start: int, stop: int, now: int) -> None:
        self.texts += 1
        self._other(data, start, stop)

    ack_target = 0
    acked: asyncio.Event | None = None

    def _other(self, data: bytes, start: int, stop: int) -> None:
        if data.find(b'"ack"', start, stop) >= 0:
            self.acks += 1
            if self.acked is not None and self.acks >= self.ack_target:
                self.acked.set()
        elif data.find(b'"error"', start, stop) >= 0:
            self.errors += 1


async def open_peer(
    target: Target,
    port: int,
    reader: int,
    tally: Tally,
    *,
    kind: type[Peer] = Peer,
    rcvbuf: int | None = None,
) -> Peer:
    loop = asyncio.get_running_loop()
    peer = kind(target.path(), port, target.headers(reader), tally)
    sock = socket.socket()
    sock.setblocking(False)
    if rcvbuf is not None:  # before connect, so the window offered is small from the start
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT):
            await loop.sock_connect(sock, ("127.0.0.1", port))
            await loop.create_connection(lambda: peer, sock=sock)
            await peer.opened
    except BaseException:
        sock.close()
        raise
    return peer


async def open_readers(
    target: Target, ports: Sequence[int], count: int, tally: Tally, first: int = 0
) -> list[Peer]:
    """Readers `first` to `first + count`, dealt over the accounts and the `ports` in turn."""
    gate = asyncio.Semaphore(CONNECTING_AT_ONCE)

    async def one(n: int) -> Peer:
        async with gate:
            return await open_peer(target, ports[n % len(ports)], n, tally)

    # One bound for them all as well: a server that stopped answering would otherwise cost one
    # handshake timeout per batch.
    async with asyncio.timeout(CONNECT_TIMEOUT + count * 0.05):
        return list(await asyncio.gather(*(one(n) for n in range(first, first + count))))


def close_all(peers: Sequence[Peer]) -> None:
    for peer in peers:
        peer.abort()


def percentile(sorted_values: Sequence[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * q))]


@dataclass
class Sent:
    messages: int = 0
    seconds: float = 0.0
    server_user: float = 0.0
    server_system: float = 0.0
    client_cpu: float = 0.0
    completed: bool = False


async def send_phase(
    sender: Peer,
    target: Target,
    tally: Tally,
    pids: Sequence[int],
    *,
    tag: str,
    rate: float,
    messages: int,
    size: int,
    readers: int,
    drain: float,
    stop_early: Callable[[], bool] | None = None,
) -> Sent:
    """Send `messages` at `rate` a second, each stamped with its send time, then wait (bounded)
    for every reader to have every one. The server's CPU is read at the first send and when the
    last delivery arrived (or the bound ran out)."""
    tally.reset(tag, messages * readers)
    pad = "x" * max(0, size - len(tag) - 32)
    out = Sent()
    loop = asyncio.get_running_loop()
    user0, system0 = cpu_sum(pids)
    client0 = sum(os.times()[:2])
    began = loop.time()
    for i in range(messages):
        delay = began + i / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)  # pacing the sender's schedule
        sender.send(1, target.frame(f"{tag} {i} {time.time_ns()} {pad}"))
        out.messages += 1
        if stop_early is not None and stop_early():
            break
    tally.expected = out.messages * readers
    if tally.total >= tally.expected:
        tally.done.set()
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(drain):
            await tally.done.wait()
    out.completed = tally.done.is_set()
    user1, system1 = cpu_sum(pids)
    out.seconds = loop.time() - began
    out.server_user = user1 - user0
    out.server_system = system1 - system0
    out.client_cpu = sum(os.times()[:2]) - client0
    return out


# ---- one measurement: N readers, one sender, one server ------------------------------------------


@dataclass
class Measure:
    server: str
    readers: int
    messages: int = 0
    deliveries: int = 0
    lost: int = 0
    cpu_us: float = 0.0
    user_us: float = 0.0
    system_us: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    kib_per_socket: float = 0.0
    idle_wait_s: list[float] = field(default_factory=list)
    server_busy: float = 0.0  # share of the server core over the sending phase
    client_busy: float = 0.0  # share of the client core the load generator used
    acks: int | None = None
    errors: int | None = None
    cores: list[int] = field(default_factory=list)
    complete: bool = False
    error: str | None = None


@contextlib.asynccontextmanager
async def running(target: Target, peers: list[Peer]) -> AsyncIterator[ServerProcess]:
    """A fresh server (and, for the capstone, a fresh database and accounts) for one use. The
    clients in `peers` are cut off before it stops, so its shutdown has no sockets to close."""
    with tempfile.TemporaryDirectory(prefix="fanout-") as tmp:
        server = target.server(Path(tmp))
        try:
            await server.start()
            await target.prepare(server.port)
            yield server
        finally:
            close_all(peers)
            server.stop()


async def measure(target: Target, args: argparse.Namespace, repeat: int) -> Measure:
    readers = args.readers
    result = Measure(server=target.key, readers=readers)
    peers: list[Peer] = []
    try:
        async with running(target, peers) as server:
            tally = Tally()
            sender = await open_peer(target, server.port, 0, tally, kind=Sender)
            peers.append(sender)
            result.idle_wait_s.append(await wait_idle(server.pid))
            before = rss_kib(server.pid)
            peers += await open_readers(target, [server.port], readers, tally)
            result.idle_wait_s.append(await wait_idle(server.pid))
            result.kib_per_socket = round((rss_kib(server.pid) - before) / max(1, readers), 2)
            messages = round(args.rate * args.seconds)
            sent = await send_phase(
                sender, target, tally, [server.pid], tag=f"r{repeat}x{os.urandom(3).hex()}",
                rate=args.rate, messages=messages, size=args.size, readers=readers,
                drain=args.drain,
            )  # fmt: skip
            fill(result, tally, sent, readers)
            result.cores = cores_used(server.pid)
            if target.acks_expected:
                # Every message stored: its ack may trail the last delivery a little. Waited for
                # after the CPU was read, and bounded.
                assert isinstance(sender, Sender)
                sender.ack_target, sender.acked = sent.messages, asyncio.Event()
                if sender.acks < sent.messages:
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(2):
                            await sender.acked.wait()
                result.acks, result.errors = sender.acks, sender.errors
            if not server.alive():
                assert server.process is not None
                code = server.process.returncode
                result.error = f"the server died (exit {code}): {server.output}"
    except (OSError, RuntimeError, TimeoutError, httpx2.HTTPError) as exc:
        result.error = f"{type(exc).__name__}: {exc}"
    finally:
        close_all(peers)
    return result


def fill(result: Measure, tally: Tally, sent: Sent, readers: int) -> None:
    result.messages = sent.messages
    result.deliveries = tally.total
    result.lost = sent.messages * readers - tally.total
    result.complete = sent.completed
    cpu = sent.server_user + sent.server_system
    if tally.total:
        result.cpu_us = round(cpu / tally.total * 1e6, 3)
        result.user_us = round(sent.server_user / tally.total * 1e6, 3)
        result.system_us = round(sent.server_system / tally.total * 1e6, 3)
        latencies = sorted(tally.latencies_ns)
        result.p50_ms = round(percentile(latencies, 0.50) / 1e6, 2)
        result.p99_ms = round(percentile(latencies, 0.99) / 1e6, 2)
    if sent.seconds > 0:
        result.server_busy = round(cpu / sent.seconds, 3)
        result.client_busy = round(sent.client_cpu / sent.seconds, 3)


# ---- the stall check ---------------------------------------------------------------------------


class StallWatch:
    """When to stop the stall run before its bound: a few seconds after the server said it
    evicted the stalled socket (the healthy readers then show they carry on), or once the
    healthy readers have received nothing for a while (the room is frozen)."""

    def __init__(self, server: ServerProcess, tally: Tally, settle: float) -> None:
        self.server = server
        self.tally = tally
        self.settle = settle
        self.began = time.monotonic()
        self.progress_total = 0
        self.progress_at = self.began
        self.evicted_at: float | None = None
        self.frozen = False

    def eviction(self) -> float | None:
        for at, line in self.server.lines:
            if "evict" in line.lower():
                return at
        return None

    def __call__(self) -> bool:
        now = time.monotonic()
        if self.tally.total != self.progress_total:
            self.progress_total, self.progress_at = self.tally.total, now
        if self.evicted_at is None:
            self.evicted_at = self.eviction()
        if self.evicted_at is not None and now - self.evicted_at > self.settle:
            return True
        self.frozen = now - self.progress_at > self.settle
        return self.frozen


async def on_a_server(
    target: Target,
    out: dict[str, Any],
    phases: Callable[[ServerProcess, Tally, Peer, list[Peer]], Awaitable[None]],
) -> dict[str, Any]:
    """`phases` on a fresh server with a sender connected, given the server, the sender's tally,
    the sender and the list of peers to cut off at the end. An error ends them, kept in `out`."""
    peers: list[Peer] = []
    try:
        async with running(target, peers) as server:
            tally = Tally()
            sender = await open_peer(target, server.port, 0, tally, kind=Sender)
            peers.append(sender)
            await phases(server, tally, sender, peers)
    except (OSError, RuntimeError, TimeoutError, httpx2.HTTPError) as exc:
        out["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        close_all(peers)
    return out


async def stall(target: Target, args: argparse.Namespace) -> dict[str, Any]:
    """20 healthy readers and one that never reads (a 4 KiB receive buffer), while 4 KiB
    messages flow at 200 a second. Then the stalled one reads, until a close frame or silence."""
    out: dict[str, Any] = {"server": target.key}

    async def phases(server: ServerProcess, tally: Tally, sender: Peer, peers: list[Peer]) -> None:
        stuck_tally = Tally()
        healthy = await open_readers(target, [server.port], args.stall_readers, tally)
        peers += healthy
        stuck = await open_peer(target, server.port, 1, stuck_tally, rcvbuf=4096)
        peers.append(stuck)
        assert stuck.transport is not None
        stuck.transport.pause_reading()  # from here on it reads nothing until the run ends
        tag = f"s{os.urandom(3).hex()}"
        stuck_tally.reset(tag, 0)
        watch = StallWatch(server, tally, args.stall_settle)
        sent = await send_phase(
            sender, target, tally, [server.pid], tag=tag, rate=200,
            messages=round(200 * args.stall_seconds), size=STALL_TEXT, readers=len(healthy),
            drain=args.stall_settle, stop_early=watch,
        )  # fmt: skip
        latencies = sorted(tally.latencies_ns)
        out.update(
            sent=sent.messages,
            run_seconds=round(sent.seconds, 1),
            stopped="evicted" if watch.evicted_at else "frozen" if watch.frozen else "bound",
            healthy_lost=sent.messages * len(healthy) - tally.total,
            healthy_p99_ms=round(percentile(latencies, 0.99) / 1e6, 1),
            server_rss_kib=rss_kib(server.pid),
        )
        evicted = watch.evicted_at or watch.eviction()
        out["evicted_after_s"] = round(evicted - watch.began, 2) if evicted else None
        # Now it reads: what was in the buffers arrives, then a close frame if the server
        # sent one. Bounded: silence for a few seconds, or a limit in all.
        stuck.transport.resume_reading()
        read_began = time.monotonic()
        seen = -1
        while not stuck.lost.done() and stuck.close_code is None:
            if stuck.bytes_in == seen or time.monotonic() - read_began > args.stall_read:
                break
            seen = stuck.bytes_in
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(args.stall_settle):
                    await asyncio.shield(stuck.lost)
        out.update(
            stalled_got=stuck.got,
            close_code=stuck.close_code,
            connection_ended=stuck.lost.done(),
        )
        # When the server gave up on it, as the reader can tell: its last message's stamp.
        if stuck.last_stamp_ns:
            last = (stuck.last_stamp_ns - time.time_ns()) / 1e9 + time.monotonic()
            out["last_message_sent_after_s"] = round(last - watch.began, 2)
        out["server_alive"] = server.alive()

    return await on_a_server(target, out, phases)


def stall_verdict(result: dict[str, Any] | None) -> str:
    if not result:
        return "-"
    if "error" in result:
        return "error"
    code = result.get("close_code")
    lost = result.get("healthy_lost")
    if code is not None:
        when = result.get("evicted_after_s")
        return (
            f"closed {code}" + (f" at {when:.0f}s" if when is not None else "") + f", lost {lost}"
        )
    return f"no close, lost {lost}"


# ---- the knee: the highest rate at N=500 that keeps p99 <= 250 ms and loses nothing -------------


async def knee(target: Target, args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {"server": target.key, "readers": args.knee_readers, "steps": []}

    async def phases(server: ServerProcess, tally: Tally, sender: Peer, peers: list[Peer]) -> None:
        peers += await open_readers(target, [server.port], args.knee_readers, tally)
        await wait_idle(server.pid)
        best = None
        for rate in args.knee_rates:
            sent = await send_phase(
                sender, target, tally, [server.pid], tag=f"k{rate}x{os.urandom(3).hex()}",
                rate=rate, messages=round(rate * args.knee_seconds), size=args.size,
                readers=args.knee_readers, drain=args.drain,
            )  # fmt: skip
            step = Measure(server=target.key, readers=args.knee_readers)
            fill(step, tally, sent, args.knee_readers)
            ok = step.lost == 0 and step.p99_ms <= args.knee_p99_ms
            out["steps"].append(
                {"rate": rate, "ok": ok, "p99_ms": step.p99_ms, "lost": step.lost,
                 "cpu_us": step.cpu_us, "server_busy": step.server_busy,
                 "client_busy": step.client_busy}
            )  # fmt: skip
            if not ok:
                break
            best = rate
            await wait_idle(server.pid, bound=5)
        out["knee"] = best

    return await on_a_server(target, out, phases)


def knee_verdict(result: dict[str, Any] | None) -> str:
    if not result:
        return "-"
    if "error" in result:
        return "error"
    steps = result["steps"]
    if result["knee"] is None:
        return f"< {steps[0]['rate']}" if steps else "-"
    top = f"{result['knee']}"
    if steps and steps[-1]["ok"]:
        top = f">= {top}"
    # A step where the load generator's own core was nearly full may be the client's limit.
    if any(step["client_busy"] > 0.9 for step in steps):
        top += " (client busy)"
    return top


# ---- the optional fit: CPU per message against N -------------------------------------------------


async def fit(target: Target, args: argparse.Namespace) -> dict[str, Any]:
    """C(N), the server's CPU per message with N readers, on one server whose readers are added
    step by step; then C = a + b*N by least squares (a: per message, b: per delivery)."""
    out: dict[str, Any] = {"server": target.key, "points": []}

    async def phases(server: ServerProcess, tally: Tally, sender: Peer, peers: list[Peer]) -> None:
        have = 0
        for n in args.fit_readers:
            peers += await open_readers(target, [server.port], n - have, tally, first=have)
            have = n
            await wait_idle(server.pid)
            sent = await send_phase(
                sender, target, tally, [server.pid], tag=f"f{n}x{os.urandom(3).hex()}",
                rate=args.rate, messages=round(args.rate * args.fit_seconds),
                size=args.size, readers=n, drain=args.drain,
            )  # fmt: skip
            cpu = sent.server_user + sent.server_system
            out["points"].append(
                {"readers": n, "ms_per_message": round(cpu / max(1, sent.messages) * 1e3, 4),
                 "lost": sent.messages * n - tally.total}
            )  # fmt: skip

    await on_a_server(target, out, phases)
    points = out["points"]
    if len(points) >= 2:
        xs = [float(p["readers"]) for p in points]
        ys = [float(p["ms_per_message"]) for p in points]
        slope, intercept = statistics.linear_regression(xs, ys)
        out["a_ms_per_message"] = round(intercept, 4)
        out["b_us_per_delivery"] = round(slope * 1e3, 3)
    return out


# ---- opt-in: one worker against two, on PostgreSQL and Redis -----------------------------------


class OnCluster(Capstone):
    """The capstone as `make cluster` runs it: PostgreSQL the truth, Redis the doorbell."""

    def __init__(self, args: argparse.Namespace, database_url: str, redis_url: str) -> None:
        super().__init__(args)
        self.database_url = database_url
        self.redis_url = redis_url

    def cluster_env(self, workdir: Path) -> dict[str, str]:
        env = self.server(workdir).env
        return {**env, "CHAT_DATABASE_URL": self.database_url, "CHAT_REDIS_URL": self.redis_url}


def pin_postgres(postgres: Postgres) -> None:
    """The postmaster and the processes it has forked so far; a backend forked later inherits."""
    with contextlib.suppress(OSError, ValueError):
        postmaster = int((postgres.data / "postmaster.pid").read_text().split()[0])
        children = Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text().split()
        for pid in [postmaster, *map(int, children)]:
            pin(pid, SERVER_CORE)


async def on_workers(
    count: int, postgres: Postgres, redis: Redis, args: argparse.Namespace
) -> dict[str, Any]:
    redis_url = redis.url.rsplit("/", 1)[0] + f"/{count}"  # a Redis database of its own
    target = OnCluster(args, fresh_database(postgres), redis_url)
    out: dict[str, Any] = {"workers": count}
    workers: list[Worker] = []
    peers: list[Peer] = []
    with tempfile.TemporaryDirectory(prefix="fanout-") as tmp:
        env = target.cluster_env(Path(tmp))
        try:
            for _ in range(count):  # one after the other: the first brings the schema up alone
                workers.append(Worker(free_port(), env))
                workers[-1].start()
                assert workers[-1].process is not None
                pin(workers[-1].process.pid, SERVER_CORE)
            ports = [worker.port for worker in workers]
            pids = [worker.process.pid for worker in workers if worker.process]
            assert redis.process is not None
            await target.prepare(ports[0])
            tally = Tally()
            sender = await open_peer(target, ports[0], 0, tally, kind=Sender)
            peers.append(sender)
            peers += await open_readers(target, ports, args.readers, tally)
            for pid in pids:
                await wait_idle(pid)
            redis_before = sum(cpu_times(redis.process.pid))
            sent = await send_phase(
                sender, target, tally, pids, tag=f"w{count}x{os.urandom(3).hex()}",
                rate=args.rate, messages=round(args.rate * args.seconds), size=args.size,
                readers=args.readers, drain=args.drain,
            )  # fmt: skip
            redis_cpu = sum(cpu_times(redis.process.pid)) - redis_before
            result = Measure(server=f"capstone, {count} worker(s)", readers=args.readers)
            fill(result, tally, sent, args.readers)
            out.update(vars(result))
            if tally.total:
                out["redis_us"] = round(redis_cpu / tally.total * 1e6, 3)
        except (OSError, RuntimeError, TimeoutError, httpx2.HTTPError) as exc:
            out["error"] = f"{type(exc).__name__}: {exc}"
        finally:
            close_all(peers)
            for worker in workers:
                worker.stop()
    return out


async def compare_workers(args: argparse.Namespace) -> list[dict[str, Any]]:
    """The same load on one worker holding every socket, then on two holding half each; every
    process on the server core, so that it compares CPU, not parallelism."""
    missing = postgres_missing() or redis_missing()
    if missing:
        print(f"workers scenario skipped: {missing}")
        return []
    try:
        with running_postgres() as postgres, running_redis() as redis:
            pin_postgres(postgres)
            assert redis.process is not None
            pin(redis.process.pid, SERVER_CORE)
            return [await on_workers(count, postgres, redis, args) for count in (1, 2)]
    except RuntimeError as error:  # a service did not start: keep the other results
        print(f"workers scenario failed: {error}", file=sys.stderr)
        return []


# ---- the whole run -----------------------------------------------------------------------------


def spread(values: Sequence[float]) -> dict[str, Any]:
    """Median and range of the values that exist (a failed repeat has none)."""
    present = [v for v in values if v == v and v is not None]  # not NaN
    if not present:
        return {"median": None, "min": None, "max": None, "values": list(values)}
    return {
        "median": round(statistics.median(present), 3),
        "min": round(min(present), 3),
        "max": round(max(present), 3),
        "values": [round(v, 3) for v in values],
    }


def ratios(repeats: list[dict[str, Measure]], attribute: str) -> dict[str, Any]:
    values = []
    for row in repeats:
        over, under = getattr(row["capstone"], attribute), getattr(row["loop"], attribute)
        ok = not row["capstone"].error and not row["loop"].error and under
        values.append(over / under if ok else float("nan"))
    return spread(values)


def progress(text: str) -> None:
    print(text, flush=True)


def describe(result: Measure) -> str:
    if result.error:
        return f"ERROR {result.error}"
    return (
        f"{result.cpu_us:.2f} µs/delivery (user {result.user_us:.2f}, system "
        f"{result.system_us:.2f}), p50 {result.p50_ms} ms, p99 {result.p99_ms} ms, lost "
        f"{result.lost}, {result.kib_per_socket} KiB/socket, server core {result.server_busy:.0%},"
        f" client core {result.client_busy:.0%}"
        + ("" if result.acks is None else f", acked {result.acks}/{result.messages}")
    )


async def run(args: argparse.Namespace) -> dict[str, Any]:
    targets: dict[str, Target] = {"loop": Loop(args), "capstone": Capstone(args)}
    report: dict[str, Any] = {
        "settings": {k: v if isinstance(v, int | float | list) else str(v)
                     for k, v in vars(args).items()},
        "python": sys.version.split()[0],
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "load_average_at_start": os.getloadavg(),
    }  # fmt: skip
    repeats: list[dict[str, Measure]] = []
    for r in range(args.repeats):
        order = ["loop", "capstone"] if r % 2 == 0 else ["capstone", "loop"]
        row: dict[str, Measure] = {}
        for key in order:
            row[key] = await measure(targets[key], args, r)
            progress(f"repeat {r + 1}/{args.repeats} {key:<9} {describe(row[key])}")
        repeats.append(row)
    report["repeats"] = [{key: vars(m) for key, m in row.items()} for row in repeats]
    servers: dict[str, dict[str, Any]] = {}
    for key in targets:
        runs = [row[key] for row in repeats]
        good = [m for m in runs if not m.error]
        servers[key] = {
            name: spread([getattr(m, name) for m in good])
            for name in ("cpu_us", "user_us", "system_us", "p50_ms", "p99_ms", "kib_per_socket")
        }
        servers[key]["lost"] = sum(m.lost for m in good)
        servers[key]["failed_repeats"] = len(runs) - len(good)
    report["servers"] = servers
    report["ratios_capstone_over_loop"] = {
        "cpu_per_delivery": ratios(repeats, "cpu_us"),
        "user_per_delivery": ratios(repeats, "user_us"),
        "system_per_delivery": ratios(repeats, "system_us"),
        "kib_per_idle_socket": ratios(repeats, "kib_per_socket"),
    }
    if args.stall:
        report["stall"] = {}
        for key, target in targets.items():
            report["stall"][key] = await stall(target, args)
            progress(f"stall {key:<9} {report['stall'][key]}")
    if args.knee:
        report["knee"] = {}
        for key, target in targets.items():
            report["knee"][key] = await knee(target, args)
            progress(f"knee {key:<9} {report['knee'][key]}")
    if args.fit:
        report["fit"] = {}
        for key, target in targets.items():
            report["fit"][key] = await fit(target, args)
            progress(f"fit {key:<9} {report['fit'][key]}")
    if args.workers_compare:
        report["workers"] = await compare_workers(args)
    return report


def table(report: dict[str, Any]) -> str:
    """One row per server: the medians over repeats, the ratios with their range."""
    cap_ratio = report["ratios_capstone_over_loop"]

    def med(block: dict[str, Any], digits: int = 2) -> str:
        return "-" if block["median"] is None else f"{block['median']:.{digits}f}"

    def rng(block: dict[str, Any]) -> str:
        if block["median"] is None:
            return "-"
        return f"{block['median']:.2f} ({block['min']:.2f}–{block['max']:.2f})"

    head = (
        f"{'server':<15}{'CPU/deliv µs':>13}{'user':>7}{'sys':>7}{'ratio (range)':>19}"
        f"{'p50 ms':>8}{'p99 ms':>8}{'lost':>6}{'KiB/sock':>9}{'ratio (range)':>19}"
        f"  {'stall':<28}{'knee N=' + str(report['settings']['knee_readers']):<12}"
    )
    lines = [head, "-" * len(head)]
    for key, label in (("loop", "lesson 17 loop"), ("capstone", "capstone")):
        s = report["servers"][key]
        is_cap = key == "capstone"
        cpu_ratio = rng(cap_ratio["cpu_per_delivery"]) if is_cap else "1"
        mem_ratio = rng(cap_ratio["kib_per_idle_socket"]) if is_cap else "1"
        stall_text = stall_verdict(report.get("stall", {}).get(key))
        knee_text = knee_verdict(report.get("knee", {}).get(key))
        lines.append(
            f"{label:<15}{med(s['cpu_us']):>13}{med(s['user_us']):>7}{med(s['system_us']):>7}"
            f"{cpu_ratio:>19}{med(s['p50_ms'], 1):>8}{med(s['p99_ms'], 1):>8}{s['lost']:>6}"
            f"{med(s['kib_per_socket'], 1):>9}{mem_ratio:>19}  {stall_text:<28}{knee_text:<12}"
        )
    lines.append("capstone/loop, median (range) and each repeat in order:")
    for name, label in (
        ("cpu_per_delivery", "CPU per delivery"),
        ("user_per_delivery", "  user time"),
        ("system_per_delivery", "  system time"),
        ("kib_per_idle_socket", "memory per idle socket"),
    ):
        block = cap_ratio[name]
        each = ", ".join(f"{v:.2f}" for v in block["values"])
        lines.append(f"  {label:<24}{rng(block):<20}{each}")
    if "fit" in report:
        for key, fitted in report["fit"].items():
            lines.append(
                f"fit {key}: C(N) = {fitted.get('a_ms_per_message')} ms + "
                f"{fitted.get('b_us_per_delivery')} µs × N   points "
                + ", ".join(f"{p['readers']}:{p['ms_per_message']}" for p in fitted["points"])
            )
    for worker_run in report.get("workers", []):
        lines.append(
            f"{worker_run['workers']} worker(s) on PostgreSQL + Redis: "
            f"{worker_run.get('cpu_us')} µs/delivery, Redis {worker_run.get('redis_us')} µs, "
            f"p50/p99 {worker_run.get('p50_ms')}/{worker_run.get('p99_ms')} ms, "
            f"lost {worker_run.get('lost')}"
            + (f", {worker_run['error']}" if worker_run.get("error") else "")
        )
    return "\n".join(line.rstrip() for line in lines)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    on_off = argparse.BooleanOptionalAction
    parser.add_argument("--readers", type=int, default=1000)
    parser.add_argument("--users", type=int, default=10, help="capstone accounts for the readers")
    parser.add_argument("--rate", type=float, default=50, help="messages per second")
    parser.add_argument("--seconds", type=float, default=5, help="of sending, per repeat")
    parser.add_argument("--size", type=int, default=200, help="bytes of text per message")
    parser.add_argument("--repeats", type=int, default=6)
    parser.add_argument(
        "--drain", type=float, default=10, help="bound on the wait for the last deliveries"
    )
    parser.add_argument("--stall", action=on_off, default=True, help="the stalled-reader check")
    parser.add_argument("--stall-readers", type=int, default=20)
    parser.add_argument("--stall-seconds", type=float, default=30, help="at most, at 200 msg/s")
    parser.add_argument(
        "--stall-settle", type=float, default=4, help="seconds that decide evicted or frozen"
    )
    parser.add_argument("--stall-read", type=float, default=20, help="bound on the final read")
    parser.add_argument("--knee", action=on_off, default=True, help="the highest rate at N=500")
    parser.add_argument("--knee-readers", type=int, default=500)
    parser.add_argument(
        "--knee-rates", type=lambda text: [int(x) for x in text.split(",")],
        default=[100, 150, 200, 250, 300, 350, 400],
    )  # fmt: skip
    parser.add_argument("--knee-seconds", type=float, default=3)
    parser.add_argument("--knee-p99-ms", type=float, default=250)
    parser.add_argument("--fit", action=on_off, default=False, help="C(N) = a + b·N")
    parser.add_argument(
        "--fit-readers", type=lambda text: [int(x) for x in text.split(",")],
        default=[1, 10, 100, 500, 1000],
    )  # fmt: skip
    parser.add_argument("--fit-seconds", type=float, default=3)
    parser.add_argument(
        "--workers-compare", action=on_off, default=False,
        help="one worker against two on PostgreSQL and Redis (needs both installed)",
    )  # fmt: skip
    parser.add_argument("--out", type=Path, default=RESULTS / "fanout.json")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    began = time.monotonic()
    if (os.cpu_count() or 1) > CLIENT_CORE:
        os.sched_setaffinity(0, {CLIENT_CORE})  # before any thread: they all inherit it
    try:
        import uvloop  # the load generator's cost per frame is what limits it

        loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = uvloop.new_event_loop
    except ImportError:
        loop_factory = None
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        report = runner.run(run(args))
    report["wall_seconds"] = round(time.monotonic() - began, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print()
    print(table(report))
    print(f"written to {args.out}; wall time {report['wall_seconds']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
