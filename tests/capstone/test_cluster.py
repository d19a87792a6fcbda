"""Several workers on one PostgreSQL and one Redis: the promises a cluster's users rely on.

Two workers (and nginx in front of them) for the promises one can watch one at a time: a message,
a ticket, the rate limit, the socket cap and presence cross from one worker to the other. Then
three workers, sixty resuming clients and a run of Redis and worker crashes for the promise that
matters most: nothing acked is lost, repeated or reordered, for anyone.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.typing import Origin

from capstone.cluster import Nginx, Postgres, Redis, Worker, free_port, free_ports
from tests import services
from tests.capstone.test_live import Account, account, online, refused_status, say
from tests.capstone.wsreader import Reader
from tests.conftest import require_service

pytestmark = pytest.mark.server

SECRET = "cluster-test-secret-key-0123456789-abcdefghij"


@dataclass
class Cluster:
    workers: list[Worker]
    redis: Redis
    proxy_port: int
    folder: Path

    @property
    def proxy_origin(self) -> str:
        return f"http://127.0.0.1:{self.proxy_port}"


@contextmanager
def cluster(postgres: Postgres, folder: Path, size: int, **settings: str) -> Iterator[Cluster]:
    """`size` workers on a new database and their own Redis (pub/sub channels are global)."""
    require_service(services.redis_missing())
    database_url = services.fresh_database(postgres)
    with services.running_redis() as redis:
        *ports, proxy_port = free_ports(size + 1, after=free_port())
        env = {
            "CHAT_DATABASE_URL": database_url,
            "CHAT_REDIS_URL": redis.url,
            "CHAT_SECRET_KEY": SECRET,
            "CHAT_UPLOAD_DIR": str(folder / "uploads"),
            "CHAT_ALLOWED_ORIGINS": json.dumps(
                [f"http://127.0.0.1:{port}" for port in [*ports, proxy_port]]
            ),
            **settings,
        }
        workers = [Worker(port, env) for port in ports]
        try:
            # The first worker brings the new database's schema up alone; the rest start together.
            workers[0].start()
            with ThreadPoolExecutor(len(workers)) as pool:
                list(pool.map(Worker.start, workers[1:]))
            yield Cluster(workers, redis, proxy_port, folder)
        finally:
            for worker in workers:
                worker.stop()


def assert_no_tracebacks(workers: list[Worker]) -> None:
    for worker in workers:
        assert "Traceback" not in worker.output, f"{worker.name}:\n{worker.output}"


@pytest.fixture(scope="module")
def pair(postgres: Postgres, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with cluster(
        postgres,
        tmp_path_factory.mktemp("pair"),
        2,
        CHAT_RATE_LIMIT_MESSAGES="5",
        CHAT_RATE_LIMIT_WINDOW_SECONDS="10",
        CHAT_MAX_SOCKETS_PER_USER="2",
        CHAT_HEARTBEAT_SECONDS="0.5",
        CHAT_PRESENCE_TTL_SECONDS="3",
    ) as running:
        yield running
        assert_no_tracebacks(running.workers)


@pytest.fixture(scope="module")
def proxy(pair: Cluster) -> Iterator[Nginx]:
    require_service(services.nginx_missing())
    server = Nginx(pair.folder / "nginx", pair.proxy_port, [w.port for w in pair.workers])
    server.start()
    try:
        yield server
    finally:
        server.stop()


def elsewhere(who: Account, worker: Worker) -> Account:
    """The same user, talking to another worker."""
    return Account(worker, who.username, who.token)


def has_presence(frames: list[dict[str, Any]]) -> bool:
    return any(f["type"] == "presence" for f in frames)


# ---- two workers --------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_message_sent_on_one_worker_reaches_a_socket_on_the_other(pair: Cluster) -> None:
    a, b = pair.workers
    alice = account(a, "relay-alice", room="relay")
    bob = account(b, "relay-bob", room="relay")
    async with alice.socket("relay") as a_ws, bob.socket("relay") as b_ws:
        on_a, on_b = Reader(a_ws).start(), Reader(b_ws).start()
        await on_b.wait_for(has_presence)  # bob is following the room: what follows is live
        sent = [await say(a_ws, on_a, f"from A {n}", f"relay-{n}") for n in range(1, 5)]
        await on_b.wait_for(lambda _: len(on_b.seqs()) >= 4)
        assert on_b.seqs() == sent == [1, 2, 3, 4]
        texts = [f["text"] for f in on_b.frames if f["type"] == "message"]
        assert texts == ["from A 1", "from A 2", "from A 3", "from A 4"]

        reply = await say(b_ws, on_b, "from B", "relay-back")
        await on_a.wait_for(lambda _: reply in on_a.seqs())
        assert on_a.seqs() == [1, 2, 3, 4, 5]


@pytest.mark.asyncio
async def test_a_ticket_from_one_worker_is_accepted_once_by_the_other(pair: Cluster) -> None:
    a, b = pair.workers
    alice = account(a, "ticket-alice", room="tickets")
    on_b = elsewhere(alice, b)
    ticket = alice.ticket()  # issued by A
    async with connect(on_b.url("tickets", ticket=ticket), origin=Origin(b.url), proxy=None) as ws:
        assert await Reader(ws).start().wait_for(has_presence)
    assert await refused_status(on_b.url("tickets", ticket=ticket), b.url) == 403
    assert await refused_status(alice.url("tickets", ticket=ticket), a.url) == 403


@pytest.mark.asyncio
async def test_logging_out_on_one_worker_ends_the_login_on_the_other(pair: Cluster) -> None:
    a, b = pair.workers
    alice = account(a, "logout-alice", room="logout")
    on_b = elsewhere(alice, b)
    async with connect(on_b.url("logout"), origin=Origin(b.url), proxy=None) as ws:
        reader = Reader(ws).start()
        await reader.wait_for(has_presence)
        with httpx2.Client(base_url=a.url, trust_env=False) as http:
            assert http.post("/api/auth/logout", headers=alice.auth).status_code == 204
        with httpx2.Client(base_url=b.url, trust_env=False) as http:
            assert http.get("/api/users/me", headers=alice.auth).status_code == 401
        # B notices at its next sweep (every heartbeat, 0.5 s here) and closes the socket.
        await reader.wait_for(lambda _: reader.closed_code is not None)
        assert reader.closed_code == 1008


async def try_socket(ws: ClientConnection, reader: Reader, cmid: str) -> str:
    """Send one message: "sent" once acked, or the code of the error frame it got instead."""

    def errors(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [f for f in frames if f["type"] == "error"]

    before = len(errors(reader.frames))
    await ws.send(json.dumps({"type": "message", "text": cmid, "client_msg_id": cmid}))

    def outcome(frames: list[dict[str, Any]]) -> str | None:
        if cmid in reader.acks():
            return "sent"
        refused = errors(frames)[before:]
        return refused[0]["code"] if refused else None

    return await reader.wait_for(outcome)


def try_http(who: Account, cmid: str) -> str:
    with httpx2.Client(base_url=who.server.url, trust_env=False) as http:
        response = http.post(
            "/api/rooms/rate/messages",
            json={"text": cmid, "client_msg_id": cmid},
            headers=who.auth,
        )
    if response.status_code == 201:
        return "sent"
    if response.status_code == 429 and response.headers.get("Retry-After", "").isdigit():
        return "rate_limited"
    return f"HTTP {response.status_code} {response.headers} {response.text}"


@pytest.mark.asyncio
async def test_the_message_rate_limit_holds_across_workers_and_http(pair: Cluster) -> None:
    a, b = pair.workers
    alice = account(a, "rate-alice", room="rate")
    on_b = elsewhere(alice, b)
    async with alice.socket("rate") as a_ws, on_b.socket("rate") as b_ws:
        reader_a, reader_b = Reader(a_ws).start(), Reader(b_ws).start()
        outcomes = []
        for n in range(4):
            outcomes.append(await try_socket(a_ws, reader_a, f"rate-a{n}"))
            outcomes.append(await try_socket(b_ws, reader_b, f"rate-b{n}"))
            outcomes.append(try_http(alice if n % 2 else on_b, f"rate-h{n}"))
    assert outcomes == ["sent"] * 5 + ["rate_limited"] * 7, outcomes


@pytest.mark.asyncio
async def test_the_socket_cap_holds_across_workers(pair: Cluster) -> None:
    a, b = pair.workers
    alice = account(a, "cap-alice", room="cap")
    on_b = elsewhere(alice, b)
    async with alice.socket("cap") as first, on_b.socket("cap") as second:
        assert await Reader(first).start().wait_for(has_presence)
        assert await Reader(second).start().wait_for(has_presence)
        assert await refused_status(alice.url("cap"), a.url) == 403
        assert await refused_status(on_b.url("cap"), b.url) == 403


@pytest.mark.asyncio
async def test_presence_spans_workers_and_a_killed_worker_s_users_leave(pair: Cluster) -> None:
    a, b = pair.workers
    ann = account(a, "presence-ann", room="presence")
    ben = account(b, "presence-ben", room="presence")
    both = ["presence-ann", "presence-ben"]
    async with ann.socket("presence") as a_ws:
        on_a = Reader(a_ws).start()
        async with ben.socket("presence") as b_ws:
            on_b = Reader(b_ws).start()
            await on_a.wait_for(lambda f: online(f) == both)
            await on_b.wait_for(lambda f: online(f) == both)
            b.kill()  # no goodbye from B: only its missing heartbeats tell
            try:
                await on_a.wait_for(lambda f: online(f) == ["presence-ann"], within=20)
            finally:
                b.start()  # the same port, for the tests after this one


# ---- through nginx ------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_through_nginx_the_chat_works_and_the_origin_check_holds(proxy: Nginx) -> None:
    alice = account(proxy, "proxy-alice", room="proxied")
    bob = account(proxy, "proxy-bob", room="proxied")
    async with alice.socket("proxied") as a_ws, bob.socket("proxied") as b_ws:
        mine, theirs = Reader(a_ws).start(), Reader(b_ws).start()
        await theirs.wait_for(lambda f: online(f) == ["proxy-alice", "proxy-bob"])
        seq = await say(a_ws, mine, "through nginx", "proxied-1")
        frame = await theirs.wait_for(
            lambda frames: next((f for f in frames if f.get("seq") == seq), None)
        )
        assert (frame["author"], frame["text"]) == ("proxy-alice", "through nginx")
    assert await refused_status(alice.url("proxied"), "https://evil.example") == 403


# ---- faults -------------------------------------------------------------------------------------

ROOMS = ["north", "south", "east"]
CLIENTS_PER_ROOM = 20
SENDERS_PER_ROOM = 2
# Pacing, not waiting: a sender sends a message about this often (so the run stays a few hundred
# messages), and a client that could not connect tries again after about this long, as the
# page's own client does. No outcome is read off either pause.
SEND_EVERY = 0.2
RECONNECT_AFTER = 0.1
RECONNECT_AFTER_AT_MOST = 1.0
# Acked messages between one fault and the next: the cluster must be serving again each time.
PROGRESS = 30


class Board:
    """What every client has seen, and one event for "something changed", to wait on."""

    def __init__(self) -> None:
        self.changed = asyncio.Event()
        self.following = True  # clients keep (re)connecting
        self.sending = True  # senders keep sending

    async def until(self, check: Callable[[], Any], within: float, what: str) -> Any:
        try:
            async with asyncio.timeout(within):
                while not (found := check()):
                    self.changed.clear()
                    await self.changed.wait()
                return found
        except TimeoutError:
            raise AssertionError(f"not within {within} s: {what}") from None


@dataclass(eq=False)
class Client:
    """One socket in one room that resumes, on a random worker, from the last seq it saw."""

    name: str
    room: str
    token: str
    workers: list[Worker]
    board: Board
    http: httpx2.AsyncClient
    seqs: list[int] = field(default_factory=list)
    acks: dict[str, int] = field(default_factory=dict)
    ws: ClientConnection | None = None
    reconnects: int = 0

    async def run(self) -> None:
        pause = RECONNECT_AFTER
        while self.board.following:
            worker = random.choice(self.workers)
            try:
                await self._follow(worker)
            except (OSError, TimeoutError, httpx2.HTTPError, InvalidHandshake, ConnectionClosed):
                pass  # the worker or Redis is down: another worker, another try
            # A socket that was up starts the backoff afresh; failed attempts double it.
            pause = RECONNECT_AFTER if self.ws else min(pause * 2, RECONNECT_AFTER_AT_MOST)
            self.ws = None
            self.board.changed.set()
            if self.board.following:
                self.reconnects += 1
                await asyncio.sleep(pause * (0.5 + random.random()))

    async def _follow(self, worker: Worker) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        response = await self.http.post(f"{worker.url}/api/auth/ws-ticket", headers=headers)
        if response.status_code != 200:
            return
        since = self.seqs[-1] if self.seqs else 0
        url = f"{worker.ws_url}/ws/rooms/{self.room}?ticket={response.json()['ticket']}"
        async with connect(
            f"{url}&since={since}",
            origin=Origin(worker.url),
            compression=None,
            proxy=None,
            open_timeout=10,
        ) as ws:
            self.ws = ws
            self.board.changed.set()
            async for raw in ws:
                frame = json.loads(raw)
                if frame["type"] == "message":
                    self.seqs.append(frame["seq"])
                elif frame["type"] == "ack":
                    self.acks[frame["client_msg_id"]] = frame["seq"]
                self.board.changed.set()

    async def deliver(self, text: str, cmid: str) -> int:
        """Send until acked: after a reconnect, the same client_msg_id again."""
        frame = json.dumps({"type": "message", "text": text, "client_msg_id": cmid})
        while cmid not in self.acks:
            ws = await self.board.until(lambda: self.ws, 30, f"{self.name} reconnects")
            try:
                await ws.send(frame)
            except ConnectionClosed:
                # Closed, but its reader has not run yet to clear `self.ws`: wait for that, or
                # this loop would find the same closed socket again without ever yielding.
                await self.board.until(self._left(ws), 30, f"{self.name} sees the close")
                continue
            await self.board.until(
                self._acked_or_left(cmid, ws), 30, f"{self.name} gets {cmid} acked"
            )
        return self.acks[cmid]

    def _left(self, ws: ClientConnection) -> Callable[[], bool]:
        """Whether this client's socket is no longer `ws` (closed and cleared, or replaced)."""
        return lambda: self.ws is not ws

    def _acked_or_left(self, cmid: str, ws: ClientConnection) -> Callable[[], bool]:
        return lambda: cmid in self.acks or self.ws is not ws

    async def send_steadily(self) -> None:
        n = 0
        while self.board.sending:
            n += 1
            await self.deliver(f"{self.name} {n}", f"{self.name}-{n}")
            await asyncio.sleep(SEND_EVERY)


def history(worker: Worker, token: str, room: str) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    with httpx2.Client(base_url=worker.url, trust_env=False) as http:
        while True:
            after = messages[-1]["seq"] if messages else 0
            page = http.get(
                f"/api/rooms/{room}/messages",
                params={"after": after, "limit": 500},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert page.status_code == 200, page.text
            if not page.json():
                return messages
            messages += page.json()


def gaps_and_repeats(seqs: list[int], head: int) -> str:
    missing = sorted(set(range(1, head + 1)) - set(seqs))
    repeated = sorted({s for s in seqs if seqs.count(s) > 1})
    disorder = sum(1 for x, y in itertools.pairwise(seqs) if y <= x)
    return f"missing {missing[:20]}, repeated {repeated[:20]}, {disorder} out of order"


@pytest.mark.asyncio
@pytest.mark.timeout(150)  # three worker restarts take most of it on a busy 2-core machine
async def test_nothing_is_lost_through_redis_restarts_and_worker_kills(
    postgres: Postgres, tmp_path: Path
) -> None:
    with cluster(
        postgres,
        tmp_path,
        3,
        CHAT_RATE_LIMIT_MESSAGES="100000",
        CHAT_MAX_SOCKETS_PER_USER="100",
        # Every socket of a room is one member's, each reconnect a ticket: not a flood.
        CHAT_TICKETS_PER_USER="100000",
    ) as running:
        # One member per room, on many sockets: every sign-up costs two argon2 hashes.
        with ThreadPoolExecutor(len(ROOMS)) as pool:
            members = dict(
                zip(
                    ROOMS,
                    pool.map(account, running.workers, [f"{r}-member" for r in ROOMS], ROOMS),
                    strict=True,
                )
            )
        board = Board()
        async with httpx2.AsyncClient(trust_env=False, timeout=10) as http:

            def client(room: str, role: str, n: int) -> Client:
                token = members[room].token
                return Client(f"{room}-{role}-{n}", room, token, running.workers, board, http)

            followers = [client(r, "reader", n) for r in ROOMS for n in range(CLIENTS_PER_ROOM)]
            senders = [client(r, "sender", n) for r in ROOMS for n in range(SENDERS_PER_ROOM)]
            everyone = followers + senders
            connections = [asyncio.create_task(c.run()) for c in everyone]
            sending: list[asyncio.Task[None]] = []
            try:
                await board.until(lambda: all(c.ws for c in everyone), 30, "everyone connects")
                sending += [asyncio.create_task(s.send_steadily()) for s in senders]

                def acked() -> int:
                    return sum(len(s.acks) for s in senders)

                async def progress(what: str) -> None:
                    target = acked() + PROGRESS
                    await board.until(lambda: acked() >= target, 30, f"{PROGRESS} acks {what}")

                # The clients go on sending and resuming while a service is down and while it
                # comes back: the restarts run beside them.
                for victim in running.workers:
                    await progress("before a Redis kill")
                    # Whatever is published until every worker has resubscribed is lost on
                    # the bus: the database must fill those gaps.
                    running.redis.kill()
                    await asyncio.to_thread(running.redis.start)
                    await progress("after Redis restarted")
                    victim.kill()
                    await asyncio.to_thread(victim.start)  # the same port
                    await progress(f"after {victim.name} restarted")

                board.sending = False
                await asyncio.gather(*sending)
                heads = {}
                for room in ROOMS:
                    last = next(s for s in senders if s.room == room)
                    heads[room] = await last.deliver("the last word", f"{room}-final")
                await board.until(
                    lambda: all(c.seqs and c.seqs[-1] >= heads[c.room] for c in everyone),
                    30,
                    "every client has its room's last message",
                )
            finally:
                board.following = False
                for task in connections + sending:
                    task.cancel()
                await asyncio.gather(*connections, *sending, return_exceptions=True)
        stored = {room: history(running.workers[0], members[room].token, room) for room in ROOMS}

    # The run really made clients resume (a worker kill drops a third of them each time).
    assert any(c.reconnects for c in everyone)
    for room in ROOMS:
        assert [m["seq"] for m in stored[room]] == list(range(1, heads[room] + 1)), room
        by_seq = {m["seq"]: m["client_msg_id"] for m in stored[room]}
        for sender in (s for s in senders if s.room == room):
            for cmid, seq in sender.acks.items():
                assert by_seq[seq] == cmid, f"{cmid} was acked as {seq}"
    for c in everyone:
        expected = list(range(1, heads[c.room] + 1))
        assert c.seqs == expected, f"{c.name}: {gaps_and_repeats(c.seqs, heads[c.room])}"
