"""The shared state: one contract for `MemoryState` and `RedisState`, then what Redis adds.

Two `RedisState`s on their own connections are two workers. For the memory state "two workers"
are the same object: one process is all it serves. Time-bound behaviour (windows, expiry, leases)
runs on short settings and waits on the condition itself, with a bound that suits a busy machine.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
import redis.asyncio as aioredis
from fastapi.testclient import TestClient
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from starlette.websockets import WebSocketDisconnect

from capstone.cluster import Redis, free_port
from capstone.main import create_app
from capstone.settings import Settings
from capstone.state import MemoryState, RedisState, SharedState, StateUnavailable, make_state
from tests.capstone.conftest import ORIGIN, Databases, make_room, make_settings, sign_up

LIMIT = 3
WINDOW = 0.6
TTL = 0.4
BOUND = 10.0  # seconds: generous for a 2-core machine under load
DB = 9  # the session's Redis is shared; these tests keep to a database of their own


async def until(condition: Callable[[], Awaitable[bool]], what: str) -> float:
    """Poll `condition` until it holds; the seconds it took. Fails after BOUND."""
    start = time.monotonic()
    while not await condition():
        if time.monotonic() - start > BOUND:
            pytest.fail(f"still waiting after {BOUND} s for {what}")
        await asyncio.sleep(0.01)
    return time.monotonic() - start


def redis_client(url: str) -> aioredis.Redis:
    return aioredis.Redis.from_url(url, db=DB, socket_connect_timeout=2, socket_timeout=5)


def redis_state(client: aioredis.Redis) -> RedisState:
    return RedisState(client, limit=LIMIT, window=WINDOW, presence_ttl=TTL)


async def started_workers(url: str) -> AsyncIterator[tuple[RedisState, RedisState]]:
    clients = [redis_client(url), redis_client(url)]
    await clients[0].flushdb()
    states = [redis_state(client) for client in clients]
    for state in states:
        await state.start()
    yield states[0], states[1]
    for state in states:
        await state.stop()
    for client in clients:
        await client.aclose()


@pytest_asyncio.fixture
async def redis_workers(redis_server: Redis) -> AsyncIterator[tuple[RedisState, RedisState]]:
    async for pair in started_workers(redis_server.url):
        yield pair


@pytest_asyncio.fixture(params=["memory", "redis"])
async def workers(request: pytest.FixtureRequest) -> AsyncIterator[tuple[SharedState, SharedState]]:
    if request.param == "memory":
        state = MemoryState(LIMIT, WINDOW)
        yield state, state
        return
    server: Redis = request.getfixturevalue("redis_server")  # only when a test asks for Redis
    async for pair in started_workers(server.url):
        yield pair


# ---- the contract --------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_ticket_is_good_once_on_any_worker(
    workers: tuple[SharedState, SharedState],
) -> None:
    one, other = workers
    ticket = await one.issue_ticket("42:a-session", 30)
    assert await other.redeem_ticket(ticket) == "42:a-session"
    assert await one.redeem_ticket(ticket) is None
    assert await other.redeem_ticket(ticket) is None
    assert await other.redeem_ticket("made-up") is None
    assert await one.issue_ticket("42:a-session", 30) != ticket


@pytest.mark.asyncio
async def test_a_ticket_expires(workers: tuple[SharedState, SharedState]) -> None:
    one, other = workers
    never = await one.issue_ticket("7:a-session", 0)
    assert await other.redeem_ticket(never) is None
    lifetime = 0.3
    late = await one.issue_ticket("7:a-session", lifetime)
    deadline = time.monotonic() + lifetime

    async def lifetime_over() -> bool:  # the event waited for is the passing of the lifetime
        return time.monotonic() > deadline + 0.05

    await until(lifetime_over, "the ticket's lifetime to pass")
    assert await other.redeem_ticket(late) is None


@pytest.mark.asyncio
async def test_the_message_limit_is_one_budget_with_a_true_retry_after(
    workers: tuple[SharedState, SharedState],
) -> None:
    one, other = workers
    before_first = time.monotonic()
    assert await one.hit_message_limit(5) is None
    after_first = time.monotonic()

    async def half_a_window() -> bool:  # so the retry-after is not simply the window
        return time.monotonic() > after_first + WINDOW / 2

    await until(half_a_window, "half a window to pass")
    assert await other.hit_message_limit(5) is None
    assert await one.hit_message_limit(5) is None
    before_refusal = time.monotonic()
    retry = await other.hit_message_limit(5)
    after_refusal = time.monotonic()
    assert retry is not None
    # The oldest hit leaves the window WINDOW after it was counted.
    slack = 0.01
    assert before_first + WINDOW - after_refusal - slack <= retry
    assert retry <= after_first + WINDOW - before_refusal + slack
    assert await one.hit_message_limit(6) is None  # someone else's budget is their own

    async def allowed() -> bool:
        return await one.hit_message_limit(5) is None

    waited = await until(allowed, "the window to let a message through")
    assert waited >= retry - 0.05  # never allowed before the retry-after said
    assert waited <= retry + 2.0


@pytest.mark.asyncio
async def test_a_throttle_is_one_window_per_bucket_and_key(
    workers: tuple[SharedState, SharedState],
) -> None:
    one, other = workers
    assert await one.hit("logins", "alice", 2, WINDOW) is None
    assert await other.hit("logins", "alice", 2, WINDOW) is None
    retry = await one.hit("logins", "alice", 2, WINDOW)
    assert retry is not None and 0 < retry <= WINDOW
    # Another key, another bucket, and the message limit each keep their own count.
    assert await other.hit("logins", "bob", 2, WINDOW) is None
    assert await other.hit("tickets", "alice", 2, WINDOW) is None
    assert await one.hit_message_limit(1) is None

    async def allowed() -> bool:
        return await other.hit("logins", "alice", 2, WINDOW) is None

    waited = await until(allowed, "the throttle's window to end")
    assert waited >= retry - 0.05


@pytest.mark.asyncio
async def test_a_throttle_can_be_asked_without_counting(
    workers: tuple[SharedState, SharedState],
) -> None:
    one, other = workers
    for _ in range(5):
        assert await one.hit("logins", "carol", 1, WINDOW, count=False) is None
    assert await other.hit("logins", "carol", 1, WINDOW) is None
    assert await one.hit("logins", "carol", 1, WINDOW, count=False) is not None
    assert await other.hit("logins", "carol", 1, WINDOW) is not None


@pytest.mark.asyncio
async def test_the_socket_cap_spans_workers(workers: tuple[SharedState, SharedState]) -> None:
    one, other = workers
    assert await one.acquire_socket(9, 2)
    assert await other.acquire_socket(9, 2)
    assert not await one.acquire_socket(9, 2)
    assert not await other.acquire_socket(9, 2)
    assert await other.acquire_socket(10, 2)  # another user's sockets are theirs
    await one.release_socket(9)
    assert await other.acquire_socket(9, 2)
    assert not await one.acquire_socket(9, 2)


@pytest.mark.asyncio
async def test_presence_on_one_worker(workers: tuple[SharedState, SharedState]) -> None:
    one, _ = workers
    await one.set_presence("lobby", {"zoe", "bob"})
    await one.set_presence("other", {"amy"})
    assert await one.online("lobby") == ["bob", "zoe"]
    await one.set_presence("lobby", {"zoe"})
    assert await one.online("lobby") == ["zoe"]
    await one.set_presence("lobby", set())
    assert await one.online("lobby") == []
    assert await one.online("other") == ["amy"]
    assert await one.heartbeat({"other": {"amy"}}) == set()  # nothing changed meanwhile


# ---- across Redis workers ------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_presence_spans_workers_and_names_each_user_once(
    redis_workers: tuple[RedisState, RedisState],
) -> None:
    one, other = redis_workers
    await one.set_presence("lobby", {"alice"})
    await other.set_presence("lobby", {"bob", "alice"})  # alice has a tab on each
    assert await one.online("lobby") == ["alice", "bob"]
    await other.set_presence("lobby", set())
    assert await other.online("lobby") == ["alice"]
    await one.stop()  # a clean shutdown takes its users out at once
    assert await other.online("lobby") == []


@pytest.mark.asyncio
async def test_heartbeats_keep_a_worker_present_past_the_ttl(
    redis_workers: tuple[RedisState, RedisState],
) -> None:
    one, other = redis_workers
    await one.set_presence("lobby", {"alice"})
    await other.set_presence("lobby", {"bob"})
    assert await one.online("lobby") == ["alice", "bob"]  # what a doorbell would make it read
    past = time.monotonic() + 3 * TTL

    async def ttl_long_past() -> bool:
        assert await one.heartbeat({"lobby": {"alice"}}) == set()
        assert await other.heartbeat({"lobby": {"bob"}}) == set()
        assert await other.online("lobby") == ["alice", "bob"]
        return time.monotonic() > past

    await until(ttl_long_past, "three TTLs of heartbeats")


@pytest.mark.asyncio
async def test_a_dead_workers_users_leave_after_the_ttl(
    redis_workers: tuple[RedisState, RedisState],
) -> None:
    dead, alive = redis_workers
    await dead.set_presence("lobby", {"alice"})
    await alive.set_presence("lobby", {"bob"})
    await alive.set_presence("quiet", {"bob"})
    assert await alive.online("lobby") == ["alice", "bob"]
    changed: set[str] = set()

    async def alice_gone() -> bool:  # `dead` beats no more
        changed.update(await alive.heartbeat({"lobby": {"bob"}, "quiet": {"bob"}}))
        return bool(changed)

    await until(alice_gone, "the heartbeat to notice the dead worker")
    assert changed == {"lobby"}
    assert await alive.online("lobby") == ["bob"]


@pytest.mark.asyncio
async def test_a_dead_workers_sockets_stop_counting_when_its_lease_expires(
    redis_workers: tuple[RedisState, RedisState],
) -> None:
    dead, alive = redis_workers
    assert await dead.acquire_socket(9, 2)
    assert await dead.acquire_socket(9, 2)
    assert not await alive.acquire_socket(9, 2)

    async def freed() -> bool:
        return await alive.acquire_socket(9, 2)

    await until(freed, "the dead worker's lease to expire")
    assert await alive.acquire_socket(9, 2)
    assert not await alive.acquire_socket(9, 2)


@pytest.mark.asyncio
async def test_a_heartbeat_writes_this_workers_truth_again_after_redis_loses_it(
    redis_workers: tuple[RedisState, RedisState],
) -> None:
    one, other = redis_workers
    assert await one.acquire_socket(9, 1)
    await one.set_presence("lobby", {"alice"})
    await other.redis.flushdb()  # a Redis restart without persistence
    assert await other.online("lobby") == []
    await one.heartbeat({"lobby": {"alice"}})
    assert await other.online("lobby") == ["alice"]
    assert not await other.acquire_socket(9, 1)


@pytest.mark.asyncio
async def test_a_socket_closed_while_redis_was_away_stops_counting_at_the_next_heartbeat(
    redis_workers: tuple[RedisState, RedisState], monkeypatch: pytest.MonkeyPatch
) -> None:
    one, other = redis_workers
    assert await one.acquire_socket(9, 1)

    async def unreachable(*args: object) -> None:
        raise ConnectionError("redis went away")

    with monkeypatch.context() as patch:
        patch.setattr(one.redis, "hdel", unreachable)
        await one.release_socket(9)
    assert not await other.acquire_socket(9, 1)  # Redis still holds the closed socket
    await one.heartbeat({})
    assert await other.acquire_socket(9, 1)


# ---- Redis down: each call fails the way it says -------------------------------------------------


@pytest.fixture
def unreachable() -> Iterator[RedisState]:
    # A loopback port with nobody listening: refused at once, and not retried (redis-py's default
    # retries with backoff would spend seconds on each call).
    client = aioredis.Redis(port=free_port(), socket_connect_timeout=1, retry=Retry(NoBackoff(), 0))
    yield redis_state(client)


@pytest.mark.asyncio
async def test_without_redis_tickets_fail_closed_and_the_rest_fails_open(
    unreachable: RedisState, caplog: pytest.LogCaptureFixture
) -> None:
    state = unreachable
    with caplog.at_level(logging.WARNING, logger="capstone.state"):
        await state.start()
        with pytest.raises(StateUnavailable):
            await state.issue_ticket("1:a-session", 30)
        assert await state.redeem_ticket("anything") is None
        for _ in range(LIMIT + 2):
            assert await state.hit_message_limit(1) is None
        # The cap falls back to this worker's own count.
        assert await state.acquire_socket(1, 2)
        assert await state.acquire_socket(1, 2)
        assert not await state.acquire_socket(1, 2)
        await state.release_socket(1)
        await state.set_presence("lobby", {"alice"})
        assert await state.online("lobby") == ["alice"]
        assert await state.heartbeat({"lobby": {"alice"}}) == set()
        await state.stop()
    await state.redis.aclose()
    lines = [record.getMessage() for record in caplog.records]
    # One line per kind of call as it starts failing, not one per call; never a traceback.
    assert len(lines) == len(set(lines)) == 7
    assert all(record.exc_info is None for record in caplog.records)


@pytest.mark.asyncio
async def test_without_redis_every_throttle_fails_open(
    unreachable: RedisState, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="capstone.state"):
        for _ in range(3):
            assert await unreachable.hit("logins", "alice", 1, WINDOW) is None
            assert await unreachable.hit("uploads", "7", 1, WINDOW) is None
    await unreachable.redis.aclose()
    lines = [record.getMessage() for record in caplog.records]
    assert [line.split(":")[0] for line in lines] == [
        "redis unavailable for the logins limit",
        "redis unavailable for the uploads limit",
    ]


# ---- the memory state stays small ----------------------------------------------------------------


@pytest.mark.asyncio
async def test_the_memory_state_forgets_what_has_expired() -> None:
    now = [100.0]
    state = MemoryState(LIMIT, WINDOW, clock=lambda: now[0])
    for user in range(50):
        await state.issue_ticket(f"{user}:a-session", 1.0)
        assert await state.hit_message_limit(user) is None
        assert await state.acquire_socket(user, 1)
        await state.release_socket(user)
    await state.set_presence("lobby", {"alice"})
    await state.set_presence("lobby", set())
    now[0] += max(1.0, WINDOW) + 0.01
    await state.issue_ticket("99:a-session", 1.0)
    assert await state.hit_message_limit(99) is None
    assert len(state.tickets) == 1
    assert list(state.limiters["messages"].hits) == ["99"]
    assert state.sockets == {}
    assert state.rooms == {}


def test_make_state_picks_by_client(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, Databases(), rate_limit_messages=4, presence_ttl_seconds=3.0)
    memory = make_state(settings, None)
    assert isinstance(memory, MemoryState)
    client = aioredis.Redis(port=free_port())
    shared = make_state(settings, client)
    assert isinstance(shared, RedisState)
    assert (shared.limit, shared.ttl_ms) == (4, 3000)
    assert memory.worker_id != shared.worker_id


# ---- over HTTP: one budget for the socket and the API --------------------------------------------


def post(client: TestClient, auth: dict[str, str], text: str, room: str = "general"):
    return client.post(
        f"/api/rooms/{room}/messages", json={"text": text, "client_msg_id": text}, headers=auth
    )


def limited_app(tmp_path: Path) -> TestClient:
    return TestClient(create_app(make_settings(tmp_path, Databases(), rate_limit_messages=LIMIT)))


def assert_throttled(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 429
    assert response.json() == {"detail": "Too many messages: slow down"}
    retry = response.headers["retry-after"]
    window = Settings().rate_limit_window_seconds
    assert retry.isdigit() and 1 <= int(retry) <= math.ceil(window)


def test_posting_past_the_limit_is_429_with_retry_after(tmp_path: Path) -> None:
    with limited_app(tmp_path) as client:
        alice = sign_up(client, "alice")
        bob = sign_up(client, "bob")
        make_room(client, alice)
        client.post("/api/rooms/general/join", headers=bob.auth)
        # Two over the socket and one over HTTP spend the same budget.
        ticket = client.post("/api/auth/ws-ticket", headers=alice.auth).json()["ticket"]
        url = f"/ws/rooms/general?ticket={ticket}"
        with client.websocket_connect(url, headers={"origin": ORIGIN}) as ws:
            ws.receive_json()
            for n in range(2):
                ws.send_json({"type": "message", "text": f"ws{n}", "client_msg_id": f"ws{n}"})
                while ws.receive_json()["type"] != "ack":
                    pass
        assert post(client, alice.auth, "http0").status_code == 201
        assert_throttled(post(client, alice.auth, "http1"))
        assert post(client, bob.auth, "bob0").status_code == 201  # bob has his own
        history = client.get("/api/rooms/general/messages", headers=alice.auth).json()
        assert [m["text"] for m in history] == ["ws0", "ws1", "http0", "bob0"]


def test_an_upload_past_the_limit_is_429_and_keeps_no_file(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, Databases(), rate_limit_messages=LIMIT)
    with TestClient(create_app(settings)) as client:
        alice = sign_up(client, "alice")
        make_room(client, alice)
        for n in range(LIMIT):
            assert post(client, alice.auth, f"m{n}").status_code == 201
        files = {"file": ("cat.txt", b"meow", "text/plain")}
        response = client.post("/api/rooms/general/attachments", files=files, headers=alice.auth)
        assert_throttled(response)
        assert not settings.upload_dir.exists() or list(settings.upload_dir.iterdir()) == []
        history = client.get("/api/rooms/general/messages", headers=alice.auth).json()
        assert [m["text"] for m in history] == ["m0", "m1", "m2"]


def test_a_ticket_when_the_state_is_unreachable_is_503(
    tmp_path: Path, unreachable: RedisState
) -> None:
    with limited_app(tmp_path) as client:
        alice = sign_up(client, "alice")
        make_room(client, alice)
        good = client.post("/api/auth/ws-ticket", headers=alice.auth).json()["ticket"]
        client.app.state.chat.state = unreachable  # type: ignore[attr-defined]
        response = client.post("/api/auth/ws-ticket", headers=alice.auth)
        assert response.status_code == 503
        assert response.headers["retry-after"] == "1"
        assert response.json() == {"detail": "Tickets are unavailable for a moment: try again"}
        # A ticket no worker can spend safely is refused, not let through twice.
        url = f"/ws/rooms/general?ticket={good}"
        with pytest.raises(WebSocketDisconnect) as refused:
            with client.websocket_connect(url, headers={"origin": ORIGIN}):
                pass
        assert refused.value.code == 1008
