"""Floods and throttles: each throttle answers 429 with Retry-After past its limit and not before,
for its own key only, until its window ends; a full hashing pool answers 503 at once; the upload
quota; and, against a real uvicorn, a login flood that leaves everyone else's chat answering.

The windows end by moving the memory state's clock, not by waiting for them.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from capstone.cluster import chat_serve_args
from capstone.main import create_app
from capstone.passwords import pool_for
from capstone.settings import Settings
from capstone.state import MemoryState
from tests.capstone.conftest import (
    ORIGIN,
    PASSWORD,
    Databases,
    Member,
    make_room,
    make_settings,
    sign_up,
)
from tests.live import free_port, live_server

WINDOW = 60.0
LIMITS = {
    "login_failures_per_account": 3,
    "login_failures_per_address": 5,
    "login_window_seconds": WINDOW,
    "registrations_per_address": 3,
    "registration_window_seconds": WINDOW,
    "tickets_per_user": 3,
    "ticket_window_seconds": WINDOW,
    "rooms_per_user": 2,
    "room_window_seconds": WINDOW,
    "uploads_per_user": 2,
    "upload_window_seconds": WINDOW,
    # The door answers repeats at once here; `test_the_door_answers_late_...` has its pause.
    "refusal_delay_seconds": 0.0,
}
HOME = ("10.0.0.1", 50000)
ELSEWHERE = ("10.0.0.2", 50000)


@pytest.fixture
def throttled(tmp_path: Path, databases: Databases) -> Iterator[Settings]:
    yield make_settings(tmp_path, databases, **LIMITS)  # type: ignore[arg-type]
    databases.drop(tmp_path)


@pytest.fixture
def app_client(throttled: Settings) -> Iterator[Callable[..., TestClient]]:
    """Clients of one app, each from its own address (one portal, started by the first)."""
    app = create_app(throttled)
    others: list[TestClient] = []
    with TestClient(app, client=HOME) as first:

        def client(address: tuple[str, int] = HOME) -> TestClient:
            if address == HOME:
                return first
            # A TestClient's address is fixed: another client, on the first one's portal, so it
            # reaches the same running app (its lifespan ran once, in the first).
            other = TestClient(app, client=address)
            other.portal = first.portal
            others.append(other)
            return other

        yield client
        for other in others:
            other.portal = None
            other.close()


def login(client: TestClient, username: str, password: str) -> Response:
    return client.post("/api/auth/token", data={"username": username, "password": password})


def fail_logins(client: TestClient, username: str, times: int) -> None:
    for _ in range(times):
        assert login(client, username, "wrong password").status_code == 401


def retry_after(response: Response) -> int:
    assert response.status_code == 429, response.text
    return int(response.headers["retry-after"])


def move_clock(client: TestClient, seconds: float) -> None:
    """Move the app's shared state on by `seconds`: its windows pass without waiting."""
    state = client.app.state.chat.state  # type: ignore[attr-defined]
    assert isinstance(state, MemoryState)
    before = state.clock
    state.clock = lambda: before() + seconds
    refusals = client.app.state.refusals  # type: ignore[attr-defined]
    door_before = refusals.clock
    refusals.clock = lambda: door_before() + seconds


# ---- logins --------------------------------------------------------------------------------------


def test_failed_logins_are_throttled_per_account(app_client: Callable[..., TestClient]) -> None:
    client = app_client()
    alice, bob = sign_up(client, "alice"), sign_up(client, "bob")
    fail_logins(client, alice.username, 3)
    refused = login(client, alice.username, "wrong password")
    assert 1 <= retry_after(refused) <= WINDOW
    assert refused.json() == {"detail": "Too many failed logins: try again later"}
    # Another account from the same address is not affected.
    assert login(client, bob.username, PASSWORD).status_code == 200
    # The right password too: else the throttle would tell a guesser when they were right.
    retry_after(login(client, alice.username, PASSWORD))
    # From another address as well: the throttle is the account's.
    retry_after(login(app_client(ELSEWHERE), alice.username, PASSWORD))


def test_the_login_throttle_ends_with_its_window(app_client: Callable[..., TestClient]) -> None:
    client = app_client()
    alice = sign_up(client, "alice")
    fail_logins(client, alice.username, 3)
    wait = retry_after(login(client, alice.username, PASSWORD))
    move_clock(client, wait - 1.5)
    retry_after(login(client, alice.username, PASSWORD))
    move_clock(client, WINDOW + 0.1)
    assert login(client, alice.username, PASSWORD).status_code == 200


def test_a_correct_password_is_not_counted(app_client: Callable[..., TestClient]) -> None:
    client = app_client()
    alice = sign_up(client, "alice")
    fail_logins(client, alice.username, 2)
    for _ in range(5):
        assert login(client, alice.username, PASSWORD).status_code == 200
    assert login(client, alice.username, "wrong password").status_code == 401
    retry_after(login(client, alice.username, PASSWORD))


def test_failed_logins_are_throttled_per_address(app_client: Callable[..., TestClient]) -> None:
    client = app_client()
    alice = sign_up(client, "alice")
    # Five names, one failure each: no account's throttle is near its limit, the address's is.
    for n in range(5):
        assert login(client, f"nobody{n}", "wrong password").status_code == 401
    retry_after(login(client, "nobody-else", "wrong password"))
    retry_after(login(client, alice.username, PASSWORD))
    assert login(app_client(ELSEWHERE), alice.username, PASSWORD).status_code == 200


def test_the_login_page_says_so_with_429(app_client: Callable[..., TestClient]) -> None:
    client = app_client()
    alice = sign_up(client, "alice")
    form = {"username": alice.username, "password": "wrong password"}
    for _ in range(3):
        wrong = client.post("/login", data=form, headers={"Origin": ORIGIN})
        assert wrong.status_code == 401
        assert "Wrong username or password." in wrong.text
    form["password"] = PASSWORD
    page = client.post("/login", data=form, headers={"Origin": ORIGIN}, follow_redirects=False)
    wait = retry_after(page)
    assert page.headers["content-type"].startswith("text/html")
    assert f"Too many attempts. Try again in {wait} seconds." in page.text
    assert "chat_session" not in page.cookies


# ---- sign-ups, tickets, rooms, uploads -----------------------------------------------------------


def register(client: TestClient, username: str) -> Response:
    return client.post("/api/auth/register", json={"username": username, "password": PASSWORD})


def test_sign_ups_are_throttled_per_address(app_client: Callable[..., TestClient]) -> None:
    client = app_client()
    assert register(client, "first").status_code == 201
    assert register(client, "first").status_code == 409  # an attempt all the same
    assert register(client, "second").status_code == 201
    refused = register(client, "third")
    retry_after(refused)
    assert refused.json() == {"detail": "Too many sign-ups from this address: try again later"}
    page = client.post(
        "/register", data={"username": "third", "password": PASSWORD}, headers={"Origin": ORIGIN}
    )
    retry_after(page)
    assert "Too many attempts from here. Try again later." in page.text
    assert login(client, "third", PASSWORD).status_code == 401  # nobody was made
    assert register(app_client(ELSEWHERE), "third").status_code == 201
    move_clock(client, WINDOW + 0.1)
    assert register(client, "fourth").status_code == 201


def test_tickets_are_throttled_per_user(app_client: Callable[..., TestClient]) -> None:
    client = app_client()
    alice, bob = sign_up(client, "alice"), sign_up(client, "bob")

    def ticket(who: Member) -> Response:
        return client.post("/api/auth/ws-ticket", headers=who.auth)

    for _ in range(3):
        assert ticket(alice).status_code == 200
    refused = ticket(alice)
    retry_after(refused)
    assert refused.json() == {"detail": "Too many tickets: slow down"}
    assert ticket(bob).status_code == 200
    move_clock(client, WINDOW + 0.1)
    assert ticket(alice).status_code == 200


def past_the_room_budget(client: TestClient, who: Member) -> Response:
    """Two rooms (the budget here), then a third: its refusal."""
    make_room(client, who, "one")
    make_room(client, who, "two")
    refused = client.post("/api/rooms", json={"name": "three"}, headers=who.auth)
    retry_after(refused)
    return refused


def test_room_creation_is_throttled_per_user(app_client: Callable[..., TestClient]) -> None:
    client = app_client()
    alice, bob = sign_up(client, "alice"), sign_up(client, "bob")
    refused = past_the_room_budget(client, alice)
    assert refused.json() == {"detail": "Too many new rooms: try again later"}
    assert [room["name"] for room in client.get("/api/rooms", headers=alice.auth).json()] == [
        "one",
        "two",
    ]
    make_room(client, bob, "three")


def upload(client: TestClient, who: Member, data: bytes, room: str = "general") -> Response:
    return client.post(
        f"/api/rooms/{room}/attachments",
        files={"file": ("notes.txt", data, "text/plain")},
        headers=who.auth,
    )


def stored_files(settings: Settings) -> list[Path]:
    return sorted(settings.upload_dir.iterdir()) if settings.upload_dir.exists() else []


def test_uploads_are_throttled_per_user(
    app_client: Callable[..., TestClient], throttled: Settings
) -> None:
    client = app_client()
    alice, bob = sign_up(client, "alice"), sign_up(client, "bob")
    make_room(client, alice)
    client.post("/api/rooms/general/join", headers=bob.auth)
    for _ in range(2):
        assert upload(client, alice, b"hello").status_code == 201
    refused = upload(client, alice, b"hello")
    retry_after(refused)
    assert refused.json() == {"detail": "Too many uploads: try again later"}
    assert len(stored_files(throttled)) == 2
    assert upload(client, bob, b"hello").status_code == 201


@pytest.fixture
def chat_with(tmp_path: Path, databases: Databases) -> Iterator[Callable[..., TestClient]]:
    """A client (to use in `with`) of a chat on these settings."""
    yield lambda **overrides: TestClient(
        create_app(make_settings(tmp_path, databases, **overrides))
    )
    databases.drop(tmp_path)


def test_the_upload_quota_counts_what_is_stored(chat_with: Callable[..., TestClient]) -> None:
    with chat_with(upload_quota_bytes=100, max_upload_bytes=80) as client:
        quota_checks(client)


def quota_checks(client: TestClient) -> None:
    settings: Settings = client.app.state.settings  # type: ignore[attr-defined]
    alice, bob = sign_up(client, "alice"), sign_up(client, "bob")
    make_room(client, alice)
    client.post("/api/rooms/general/join", headers=bob.auth)
    assert upload(client, alice, b"a" * 60).status_code == 201
    over = upload(client, alice, b"b" * 41)
    assert over.status_code == 413
    assert over.json() == {
        "detail": "Upload quota reached: 40 bytes left of your attachments' allowance"
    }
    assert len(stored_files(settings)) == 1  # nothing of the refused file is kept
    assert upload(client, alice, b"c" * 40).status_code == 201
    full = upload(client, alice, b"d")
    assert full.status_code == 413
    assert full.json()["detail"].startswith("Upload quota reached: 0 bytes left")
    assert len(stored_files(settings)) == 2
    # The per-file limit is still its own answer; another user's quota is their own.
    assert upload(client, bob, b"e" * 81).json() == {"detail": "File too large"}
    assert upload(client, bob, b"e" * 80).status_code == 201
    history = client.get("/api/rooms/general/messages", headers=alice.auth).json()
    assert [m["author"] for m in history] == ["alice", "alice", "bob"]


# ---- bounded hashing -----------------------------------------------------------------------------


def test_a_full_hashing_pool_answers_503_at_once(chat_with: Callable[..., TestClient]) -> None:
    with chat_with(hash_threads=1, hash_queue=0) as client:
        full_pool_checks(client)


def full_pool_checks(client: TestClient) -> None:
    settings: Settings = client.app.state.settings  # type: ignore[attr-defined]
    alice = sign_up(client, "alice")
    pool = pool_for(settings)
    release = threading.Event()
    started = threading.Event()

    def long_hash() -> None:  # holds the pool's only thread until the test lets go
        started.set()
        release.wait(30)

    held: Future[None] = client.portal.start_task_soon(pool.run, long_hash)  # type: ignore[union-attr]
    try:
        assert started.wait(10)
        refusals = [
            login(client, alice.username, PASSWORD),
            register(client, "newcomer"),
            client.post("/login", data={"username": "alice", "password": PASSWORD},
                        headers={"Origin": ORIGIN}),
            client.post("/register", data={"username": "newcomer", "password": PASSWORD},
                        headers={"Origin": ORIGIN}),
        ]  # fmt: skip
        for refused in refusals:
            assert refused.status_code == 503, refused.text
            assert refused.headers["retry-after"] == "1"
        assert refusals[0].json() == {"detail": "The server is busy: try again in a moment"}
        assert "The server is busy. Try again in a moment." in refusals[2].text
        # Everything that does not hash goes on.
        assert client.get("/healthz").status_code == 200
        assert client.get("/api/users/me", headers=alice.auth).status_code == 200
    finally:
        release.set()
        held.result(30)
    # The door gives anyone the pool's 503 for its second (Retry-After: 1); then the app answers.
    assert login(client, alice.username, PASSWORD).status_code == 503
    move_clock(client, 1.1)
    assert login(client, alice.username, PASSWORD).status_code == 200
    assert register(client, "newcomer").status_code == 201


# ---- the door: a throttled client's repeats answered before the app ------------------------------


def count_state_asks(client: TestClient) -> list[str]:
    """The throttle buckets the app asks the shared state about from now on, in order."""
    state = client.app.state.chat.state  # type: ignore[attr-defined]
    asked: list[str] = []
    hit = state.hit

    async def counting(bucket: str, *args: object, **kwargs: object) -> float | None:
        asked.append(bucket)
        return await hit(bucket, *args, **kwargs)

    state.hit = counting
    return asked


def test_an_address_past_its_login_throttle_is_answered_at_the_door(
    app_client: Callable[..., TestClient],
) -> None:
    client = app_client()
    alice = sign_up(client, "alice")
    for n in range(5):
        assert login(client, f"nobody{n}", "wrong password").status_code == 401
    first = login(client, "nobody-else", "wrong password")
    wait = retry_after(first)
    asked = count_state_asks(client)
    again = login(client, alice.username, PASSWORD)
    assert again.status_code == 429
    assert again.json() == first.json() == {"detail": "Too many failed logins: try again later"}
    assert 1 <= retry_after(again) <= wait
    assert again.headers["x-request-id"] != first.headers["x-request-id"]
    assert again.headers["content-security-policy"] == first.headers["content-security-policy"]
    assert asked == []  # answered before the app: no throttle asked, no form read, no database
    # Only that path from that address: the rest of the chat, and other addresses, go on.
    assert client.get("/api/rooms", headers=alice.auth).status_code == 200
    assert login(app_client(ELSEWHERE), alice.username, PASSWORD).status_code == 200
    move_clock(client, WINDOW + 0.1)
    assert login(client, alice.username, PASSWORD).status_code == 200
    assert asked  # past its window the app answers again


def test_an_accounts_throttle_is_not_the_whole_addresss(
    app_client: Callable[..., TestClient],
) -> None:
    """One person's mistyped password must not close logins for everyone behind their NAT."""
    client = app_client()
    alice, bob = sign_up(client, "alice"), sign_up(client, "bob")
    fail_logins(client, alice.username, 3)
    retry_after(login(client, alice.username, "wrong password"))
    assert login(client, bob.username, PASSWORD).status_code == 200
    asked = count_state_asks(client)
    retry_after(login(client, alice.username, PASSWORD))
    assert asked  # the app answered: the account's throttle is asked each time
    # Trying on at a closed account counts against the address (5 here): then the door closes.
    retry_after(login(client, alice.username, PASSWORD))
    assert login(client, bob.username, PASSWORD).status_code == 429
    assert login(app_client(ELSEWHERE), bob.username, PASSWORD).status_code == 200


def test_a_users_throttle_is_answered_at_the_door_for_them_only(
    app_client: Callable[..., TestClient],
) -> None:
    client = app_client()
    alice, bob = sign_up(client, "alice"), sign_up(client, "bob")
    first = past_the_room_budget(client, alice)
    asked = count_state_asks(client)
    again = client.post("/api/rooms", json={"name": "four"}, headers=alice.auth)
    assert (again.status_code, again.json()) == (429, first.json())
    assert asked == []
    # Bob, from the same address, is another user: his own budget, asked of the app.
    make_room(client, bob, "three")
    assert asked == ["rooms"]


def test_the_doors_mark_never_reaches_a_client(app_client: Callable[..., TestClient]) -> None:
    client = app_client()
    alice = sign_up(client, "alice")
    answers = [login(client, alice.username, "wrong password") for _ in range(4)]  # account's
    answers += [login(client, f"nobody{n}", "wrong password") for n in range(3)]
    page = {"username": alice.username, "password": PASSWORD}
    for _ in range(2):  # the address's: the app's answer, then the door's
        answers.append(login(client, alice.username, PASSWORD))
        answers.append(client.post("/login", data=page, headers={"Origin": ORIGIN}))
    assert [r.status_code for r in answers] == [401] * 3 + [429] + [401] + [429] * 6
    assert all("x-chat-door" not in r.headers for r in answers)


def test_a_page_the_door_shows_again_names_no_one(app_client: Callable[..., TestClient]) -> None:
    """Behind one address (a NAT), the next person must not see the name the last one typed."""
    client = app_client()
    for n in range(5):
        assert login(client, f"nobody{n}", "wrong password").status_code == 401
    pages = [
        client.post(
            "/login", data={"username": name, "password": PASSWORD}, headers={"Origin": ORIGIN}
        )
        for name in ("first-person", "second-person")
    ]
    for page in pages:
        retry_after(page)
        assert "Too many attempts from here. Try again later." in page.text
        assert "first-person" not in page.text and "second-person" not in page.text


def test_the_door_answers_late_and_closes_past_its_hold(
    tmp_path: Path, databases: Databases
) -> None:
    """With a pause, the door's answer is the same 429; with no room to hold one more, it goes
    at once and closes its connection (the flooder pays for a new one)."""
    for held, closes in ((4, False), (0, True)):
        limits = {**LIMITS, "refusal_delay_seconds": 0.05, "refusals_held_per_address": held}
        settings = make_settings(tmp_path, databases, **limits)  # type: ignore[arg-type]
        with TestClient(create_app(settings), client=HOME) as client:
            for n in range(5):
                assert login(client, f"nobody{n}", "wrong password").status_code == 401
            retry_after(login(client, "nobody-else", "wrong password"))
            again = login(client, "nobody-else", "wrong password")
            retry_after(again)
            assert (again.headers.get("connection") == "close") is closes
        databases.drop(tmp_path)


# ---- a real server under a login flood -----------------------------------------------------------


FLOODERS = 80


@pytest.mark.server
@pytest.mark.timeout(180)  # a real server and 80 clients on a busy 2-core machine
@pytest.mark.asyncio
async def test_a_login_flood_leaves_the_chat_answering(tmp_path: Path) -> None:
    port = free_port()
    env = {
        "CHAT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}",
        "CHAT_SECRET_KEY": "flood-test-secret-key-0123456789-abcdefghij",
        "CHAT_UPLOAD_DIR": str(tmp_path / "uploads"),
        "CHAT_ALLOWED_ORIGINS": json.dumps([f"http://127.0.0.1:{port}"]),
        # All flooders share one address: lifted, so that the flood reaches argon2's pool.
        "CHAT_LOGIN_FAILURES_PER_ADDRESS": "1000000",
    }
    with live_server("capstone.main:app", env=env, args=chat_serve_args(16384), port=port) as srv:
        async with httpx2.AsyncClient(base_url=srv.url, trust_env=False, timeout=60) as http:
            user = {"username": "steady", "password": PASSWORD}
            assert (await http.post("/api/auth/register", json=user)).status_code == 201
            token = (await http.post("/api/auth/token", data=user)).json()["access_token"]
            auth = {"Authorization": f"Bearer {token}"}
            assert (await http.post("/api/rooms", json={"name": "calm"}, headers=auth)).is_success

            flood_statuses: list[int] = []
            stop, pool_full = asyncio.Event(), asyncio.Event()
            names = itertools.count()

            async def flood(n: int) -> None:
                # Half at one account (throttled, 429), half at made-up names (argon2: 401/503).
                while not stop.is_set():
                    name = "steady" if n % 2 else f"ghost-{next(names)}-{uuid.uuid4().hex[:6]}"
                    response = await http.post(
                        "/api/auth/token", data={"username": name, "password": "not it at all"}
                    )
                    flood_statuses.append(response.status_code)
                    if response.status_code == 503:
                        pool_full.set()

            flooders = [asyncio.create_task(flood(n)) for n in range(FLOODERS)]
            try:
                # Probes only once the flood has met the pool: a 503 means it is full.
                await asyncio.wait_for(pool_full.wait(), 60)
                probes = []
                for n in range(10):
                    probes.append((await http.get("/healthz")).status_code)
                    probes.append((await http.get("/api/rooms", headers=auth)).status_code)
                    sent = await http.post(
                        "/api/rooms/calm/messages",
                        json={"text": f"still here {n}", "client_msg_id": f"probe-{n}"},
                        headers=auth,
                    )
                    probes.append(sent.status_code)
                assert all(not task.done() for task in flooders)  # in flight all along
            finally:
                stop.set()
                await asyncio.gather(*flooders, return_exceptions=True)
            assert probes == [200, 200, 201] * 10
            assert set(flood_statuses) <= {401, 429, 503}
            # Refused, each: by the account's throttle or the door (429), or the full pool (503);
            # the 401s of finished hashes come as the hashing threads get their share.
            assert 503 in flood_statuses
            history = await http.get("/api/rooms/calm/messages", headers=auth)
            assert [m["text"] for m in history.json()] == [f"still here {n}" for n in range(10)]
