"""The chat in a real browser: two users, two browser contexts, one real uvicorn.

Each test starts the capstone on a free port with its own SQLite file and upload folder, signs its
users up through the login page, and checks what the users see. Waiting is always Playwright's
`expect(...)`, which retries with a bound; nothing sleeps.

`WRITE_SCREENSHOTS=1 pytest tests/e2e` also writes the screenshots shown in docs/capstone/index.md.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import struct
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    FilePayload,
    Page,
    Route,
    ViewportSize,
    expect,
)

from tests.conftest import ROOT
from tests.live import LiveServer, free_port, live_server

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
XSS = "<img src=x onerror=alert(1)>"
SCREENSHOTS = ROOT / "docs" / "capstone" / "img"
MAX_UPLOAD = 5 * 1024 * 1024  # CHAT_MAX_UPLOAD_BYTES's default
DESKTOP: ViewportSize = {"width": 960, "height": 640}
PHONE: ViewportSize = {"width": 390, "height": 844}
# What a test checks "at both viewports" is parametrized over these.
VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
LONG_NAME = "Wolfeschlegelsteinhausenbergerdo"  # 32 characters, the longest name allowed


def png(width: int, height: int) -> bytes:
    """A small striped PNG, built by hand: its first bytes are what the server checks."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\x00" + b"".join(bytes((0, 121 + (x // 8 % 2) * 60, 107)) for x in range(width))
        for _ in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@contextmanager
def chat_server(tmp_path: Path, port: int | None = None, **settings: str) -> Iterator[LiveServer]:
    """The chat under uvicorn, on its own database and upload folder; `settings` add CHAT_ ones."""
    port = port or free_port()
    env = {
        "CHAT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/chat.db",
        "CHAT_SECRET_KEY": "x" * 40,
        "CHAT_UPLOAD_DIR": str(tmp_path / "uploads"),
        "CHAT_ALLOWED_ORIGINS": json.dumps([f"http://127.0.0.1:{port}"]),
        **{f"CHAT_{name.upper()}": value for name, value in settings.items()},
    }
    with live_server("capstone.main:app", env=env, port=port) as live:
        yield live


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    with chat_server(tmp_path) as live:
        yield live


@dataclass
class User:
    """One person at one browser: the page, and whatever the page did that a test must see."""

    name: str
    context: BrowserContext
    page: Page
    dialogs: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    socket_urls: list[str] = field(default_factory=list)


def open_user(
    browser: Browser, url: str, name: str, viewport: ViewportSize = DESKTOP, **options: Any
) -> User:
    """A fresh browser context (its own cookies) on the login page, for one user; `options`
    are the context's (a `timezone_id`, a `locale`)."""
    context = browser.new_context(base_url=url, viewport=viewport, **options)
    page = context.new_page()
    user = User(name, context, page)

    def on_dialog(dialog) -> None:
        user.dialogs.append(dialog.message)
        dialog.dismiss()

    def on_console(message) -> None:
        if "Content Security Policy" in message.text:
            user.csp_violations.append(message.text)

    page.on("dialog", on_dialog)
    page.on("console", on_console)
    page.on("websocket", lambda socket: user.socket_urls.append(socket.url))
    page.goto("/login")
    return user


@pytest.fixture
def viewport() -> ViewportSize:
    """The size of every browser a test opens: the desktop one unless the test parametrizes it
    (`@VIEWPORTS`)."""
    return DESKTOP


@pytest.fixture
def people(browser: Browser, viewport: ViewportSize) -> Iterator[Callable[..., User]]:
    """`people(url, name)` opens a user's browser; every one is closed after the test."""
    users: list[User] = []

    def open_(url: str, name: str, **options: Any) -> User:
        users.append(open_user(browser, url, name, viewport, **options))
        return users[-1]

    yield open_
    for user in users:
        user.context.close()


@pytest.fixture
def open_browser(people, server: LiveServer) -> Callable[..., User]:
    """`open_browser(name, **options)`: a user's browser on the test's server."""
    return lambda name, **options: people(server.url, name, **options)


def sign_up(user: User) -> User:
    """Signs the user up through the login page's form: the cookie it sets logs them in."""
    page = user.page
    page.locator("#register-username").fill(user.name)
    page.locator("#register-password").fill(PASSWORD)
    page.locator("#register-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator(".whoami")).to_contain_text(user.name)
    return user


def create_room(user: User, room: str) -> None:
    user.page.locator("#room-name").fill(room)
    user.page.locator("#create-room button[type=submit]").click()
    expect(user.page).to_have_url(re.compile(f"/rooms/{room}$"))
    expect_connected(user)


def enter_room(user: User, room: str) -> None:
    """A room the user has not joined: the link shows the join step, and its button joins."""
    user.page.goto("/")
    user.page.get_by_role("link", name=f"#{room}").click()
    expect(user.page).to_have_url(re.compile(f"/rooms/{room}$"))
    expect(user.page.locator("#chat")).to_have_count(0)  # no chat, no socket before joining
    user.page.get_by_role("button", name=f"Join #{room}").click()
    expect(user.page).to_have_url(re.compile(f"/rooms/{room}$"))
    expect_connected(user)


def expect_connected(user: User, timeout: float | None = None) -> None:
    expect(user.page.locator("#status")).to_have_attribute("data-state", "online", timeout=timeout)


def say(user: User, text: str) -> None:
    user.page.locator("#message-text").fill(text)
    user.page.locator("#message-text").press("Enter")


def expect_messages(user: User, expected: list[tuple[str, str]]) -> None:
    """The room shows exactly these (author, text) pairs, in this order, each once."""
    expect(user.page.locator("#messages > li .text")).to_have_text([t for _, t in expected])
    expect(user.page.locator("#messages > li .author")).to_have_text([a for a, _ in expected])


def seqs(user: User) -> list[int]:
    return [
        int(s)
        for s in user.page.locator("#messages > li").evaluate_all(
            "items => items.map(li => li.dataset.seq)"
        )
    ]


def screenshot(user: User, name: str) -> None:
    if os.environ.get("WRITE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        user.page.screenshot(path=str(SCREENSHOTS / name))


def two_in_a_room(open_browser: Callable[[str], User], room: str) -> tuple[User, User]:
    alice = sign_up(open_browser("alice"))
    create_room(alice, room)
    bob = sign_up(open_browser("bob"))
    enter_room(bob, room)
    for user in (alice, bob):
        expect(user.page.locator("#online li")).to_have_text(["alice", "bob"])
    return alice, bob


@VIEWPORTS
def test_two_users_sign_up_log_in_and_chat_both_ways(open_browser, viewport: ViewportSize) -> None:
    alice = sign_up(open_browser("alice"))
    # Out and in again through the login form: its cookie is what the pages and the socket use.
    alice.page.get_by_role("button", name="Log out").click()
    expect(alice.page).to_have_url(re.compile(r"/login$"))
    alice.page.locator("#login-username").fill("alice")
    alice.page.locator("#login-password").fill(PASSWORD)
    alice.page.locator("#login-form button[type=submit]").click()
    expect(alice.page.locator(".whoami")).to_contain_text("alice")
    create_room(alice, "lobby")

    bob = sign_up(open_browser("bob"))
    expect(bob.page.locator("#room-list li")).to_contain_text(["#lobby"])
    enter_room(bob, "lobby")
    for user in (alice, bob):
        expect(user.page.locator("#online li")).to_have_text(["alice", "bob"])

    alice.page.locator("#message-text").fill("hello bob")
    expect(bob.page.locator("#typing")).to_have_text("alice is typing…")
    alice.page.locator("#message-text").press("Enter")
    expect_messages(bob, [("alice", "hello bob")])
    expect(bob.page.locator("#typing")).to_have_text("")

    say(bob, "hi alice, how is @alice today?")
    say(alice, "very well, thank you")
    conversation = [
        ("alice", "hello bob"),
        ("bob", "hi alice, how is @alice today?"),
        ("alice", "very well, thank you"),
    ]
    for user in (alice, bob):
        expect_messages(user, conversation)
        expect(user.page.locator("#messages > li.pending")).to_have_count(0)
        assert seqs(user) == [1, 2, 3]
    expect(alice.page.locator("#messages > li.mention")).to_have_text(re.compile("@alice"))
    # Typing on: keystroke by keystroke, long enough to pass the 2 s between typing frames.
    alice.page.locator("#message-text").press_sequentially("one more thing", delay=200)
    expect(bob.page.locator("#typing")).to_have_text("alice is typing…")
    for user in (alice, bob):
        expect_fits(user, viewport)
    if viewport == DESKTOP:
        screenshot(alice, "chat-alice.png")
        screenshot(bob, "chat-bob.png")

    # Bob leaves: alice sees him go.
    bob.page.close()
    expect(alice.page.locator("#online li")).to_have_text(["alice"])
    assert alice.csp_violations == [] and bob.csp_violations == []


def test_a_user_offline_catches_up_in_order_without_duplicates(open_browser, server) -> None:
    alice, bob = two_in_a_room(open_browser, "night-shift")
    say(alice, "before")
    expect_messages(bob, [("alice", "before")])

    bob.context.set_offline(True)
    expect(bob.page.locator("#status")).to_have_attribute("data-state", "offline")
    expect(alice.page.locator("#online li")).to_have_text(["alice"])
    for text in ("one", "two", "three"):
        say(alice, text)
    # Stored: each has its ack, so they are waiting for bob in the database.
    expect(alice.page.locator("#messages > li.pending")).to_have_count(0)
    # Bob writes while offline: the message waits, unacknowledged, for the socket to come back.
    say(bob, "written in a tunnel")
    expect(bob.page.locator("#messages > li.pending .text")).to_have_text(["written in a tunnel"])

    bob.context.set_offline(False)
    expect_connected(bob)
    # It asked only for what it missed: everything after the last seq it had seen.
    assert bob.socket_urls[-2:] == [
        f"{server.ws_url}/ws/rooms/night-shift?since=0",
        f"{server.ws_url}/ws/rooms/night-shift?since=1",
    ]
    everything = [
        ("alice", "before"),
        ("alice", "one"),
        ("alice", "two"),
        ("alice", "three"),
        ("bob", "written in a tunnel"),
    ]
    for user in (alice, bob):
        expect_messages(user, everything)
        expect(user.page.locator("#messages > li.pending")).to_have_count(0)
        assert seqs(user) == [1, 2, 3, 4, 5]
        expect(user.page.locator("#online li")).to_have_text(["alice", "bob"])
    screenshot(bob, "chat-caught-up.png")

    # A page that reloads asks for everything again (since=0) and still shows each message once.
    bob.page.reload()
    expect_connected(bob)
    expect_messages(bob, everything)


def test_an_xss_payload_is_shown_as_text_and_runs_nothing(open_browser) -> None:
    alice, bob = two_in_a_room(open_browser, "security")
    say(alice, XSS)
    say(bob, f"did you mean {XSS}?")
    for user in (alice, bob):
        expect_messages(user, [("alice", XSS), ("bob", f"did you mean {XSS}?")])
        expect(user.page.locator("#messages img")).to_have_count(0)
    # Reloading renders the same text from history: still text, still no element.
    bob.page.reload()
    expect_messages(bob, [("alice", XSS), ("bob", f"did you mean {XSS}?")])
    expect(bob.page.locator("#messages img")).to_have_count(0)
    assert alice.dialogs == [] and bob.dialogs == []
    assert alice.csp_violations == [] and bob.csp_violations == []


def test_an_attachment_uploaded_by_one_shows_for_the_other(open_browser) -> None:
    alice, bob = two_in_a_room(open_browser, "photos")
    alice.page.locator("#upload-file").set_input_files(
        files=[FilePayload(name="stripes.png", mimeType="image/png", buffer=png(96, 48))]
    )
    alice.page.locator("#upload-form button[type=submit]").click()
    image = bob.page.locator("#messages .attachment img")
    expect(image).to_have_count(1)
    expect(image).to_have_attribute("src", re.compile(r"^/api/attachments/[^/]+$"))
    expect(image).to_have_attribute("alt", "stripes.png")
    # The browser fetched it with bob's cookie and decoded it: served to a member, as an image.
    expect(image).to_have_js_property("naturalWidth", 96)
    expect(alice.page.locator("#messages .attachment img")).to_have_count(1)

    notes = b"minutes of the meeting\n"
    alice.page.locator("#upload-file").set_input_files(
        files=[FilePayload(name="notes.txt", mimeType="text/plain", buffer=notes)]
    )
    alice.page.locator("#upload-form button[type=submit]").click()
    link = bob.page.locator("#messages .attachment a[download]")
    expect(link).to_have_text(f"notes.txt ({len(notes)} B)")
    href = link.get_attribute("href")
    assert href is not None
    response = bob.context.request.get(href)
    assert response.status == 200
    assert response.body() == notes
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"].startswith("attachment")
    screenshot(bob, "chat-attachment.png")

    # One byte over the limit (5 MiB by default): refused, and the user is told why.
    alice.page.locator("#upload-file").set_input_files(
        files=[
            FilePayload(
                name="big.bin", mimeType="application/octet-stream", buffer=bytes(MAX_UPLOAD + 1)
            )
        ]
    )
    alice.page.locator("#upload-form button[type=submit]").click()
    expect(alice.page.locator("#chat-error")).to_have_text(
        "Upload refused: the file is larger than the server accepts."
    )
    expect(bob.page.locator("#messages .attachment")).to_have_count(2)


def test_the_rooms_page_shows_why_a_room_was_refused(open_browser) -> None:
    alice = sign_up(open_browser("alice"))
    create_room(alice, "lobby")
    alice.page.goto("/")
    alice.page.locator("#room-name").fill("lobby")
    alice.page.locator("#create-room button[type=submit]").click()
    expect(alice.page.locator("#create-error")).to_have_text("A room named “lobby” already exists.")

    alice.page.locator("#room-name").fill("Not A Slug!")
    alice.page.locator("#create-room button[type=submit]").click()
    expect(alice.page.locator("#create-error")).to_have_text(
        "Invalid room name: use 1 to 40 lower-case letters, digits and hyphens."
    )
    expect(alice.page).to_have_url(re.compile(r"/$"))


def test_a_wrong_password_is_refused_on_the_login_page(open_browser) -> None:
    sign_up(open_browser("alice"))
    mallory = open_browser("mallory")
    mallory.page.locator("#login-username").fill("alice")
    mallory.page.locator("#login-password").fill("not the password")
    mallory.page.locator("#login-form button[type=submit]").click()
    expect(mallory.page.locator("#login-error")).to_be_visible()
    expect(mallory.page.locator("#login-username")).to_have_value("alice")
    # No cookie, no rooms: the room list sends a visitor back to the login page.
    mallory.page.goto("/")
    expect(mallory.page).to_have_url(re.compile(r"/login$"))


def test_a_user_whose_login_is_gone_is_sent_to_the_login_page(open_browser) -> None:
    alice, bob = two_in_a_room(open_browser, "lobby")
    # Bob's cookie disappears (it expired, or he logged out in another tab) while he is offline.
    bob.context.set_offline(True)
    expect(bob.page.locator("#status")).to_have_attribute("data-state", "offline")
    bob.context.clear_cookies()
    bob.context.set_offline(False)
    # The handshake without a login is refused; the page finds out why and asks him to log in.
    expect(bob.page).to_have_url(re.compile(r"/login$"))
    expect(alice.page.locator("#online li")).to_have_text(["alice"])


def client_backoff_cap_ms() -> int:
    """The longest wait between the page's reconnect attempts, as chat.js sets it."""
    source = (ROOT / "capstone" / "static" / "chat.js").read_text()
    found = re.search(r"const BACKOFF_MAX_MS = (\d+);", source)
    assert found, "chat.js no longer says BACKOFF_MAX_MS: keep this test's bound in step"
    return int(found[1])


# A page waiting out its longest back-off reconnects within the cap; the margin is the handshake,
# the catch-up and the presence frame on a busy two-core machine.
RECONNECT_BOUND_MS = client_backoff_cap_ms() + 10_000


@pytest.mark.timeout(120)
def test_the_page_reconnects_after_a_server_restart_and_history_survives(
    people, tmp_path: Path
) -> None:
    port = free_port()
    with chat_server(tmp_path, port) as first:
        alice, bob = two_in_a_room(lambda name: people(first.url, name), "lobby")
        say(alice, "before the restart")
        expect_messages(bob, [("alice", "before the restart")])
    # The server is gone: both pages notice and keep trying, with backoff that grows; the wait
    # is shown, and it counts down.
    for user in (alice, bob):
        expect(user.page.locator("#status")).to_have_attribute("data-state", "reconnecting")
    status = bob.page.locator("#status")
    waiting = re.compile(r"reconnecting in ([3-9]|[1-9]\d) s$")
    expect(status).to_have_text(waiting, timeout=RECONNECT_BOUND_MS)
    shown = waiting.search(status.text_content() or "")
    assert shown is not None
    expect(status).to_have_text(re.compile(f"reconnecting in {int(shown[1]) - 1} s$"))
    with chat_server(tmp_path, port):
        # Same database, same key: the pages come back by themselves, logged in, and resume,
        # however long the back-off had grown. Each page has its own back-off, so one may be back
        # well before the other: both are waited for before either is asked who is online.
        for user in (alice, bob):
            expect_connected(user, timeout=RECONNECT_BOUND_MS)
        for user in (alice, bob):
            expect(user.page.locator("#online li")).to_have_text(["alice", "bob"])
        assert bob.socket_urls[-1].endswith("/ws/rooms/lobby?since=1")
        say(bob, "after the restart")
        conversation = [("alice", "before the restart"), ("bob", "after the restart")]
        for user in (alice, bob):
            expect_messages(user, conversation)
        bob.page.reload()
        expect_messages(bob, conversation)


def test_messages_refused_by_the_rate_limit_are_sent_again_later(people, tmp_path: Path) -> None:
    with chat_server(tmp_path, rate_limit_messages="3", rate_limit_window_seconds="2") as live:
        alice, bob = two_in_a_room(lambda name: people(live.url, name), "busy")
        texts = ["one", "two", "three", "four", "five"]
        for text in texts:
            say(alice, text)
        # The fourth and fifth are refused for now: the user is told, the messages wait...
        expect(alice.page.locator("#chat-error")).to_have_text("too many messages: slow down")
        expect(alice.page.locator("#messages > li.pending .text")).to_have_text(["four", "five"])
        # ...and go again, with the same ids, once the window has passed: each stored once.
        expect(alice.page.locator("#messages > li.pending")).to_have_count(0, timeout=10_000)
        expect(alice.page.locator("#chat-error")).to_be_hidden()
        for user in (alice, bob):
            expect_messages(user, [("alice", text) for text in texts])
            assert seqs(user) == [1, 2, 3, 4, 5]


def test_a_message_over_the_frame_limit_is_marked_and_the_chat_goes_on(
    people, tmp_path: Path
) -> None:
    with chat_server(tmp_path, max_message_bytes="256") as live:
        alice, bob = two_in_a_room(lambda name: people(live.url, name), "small-talk")
        say(alice, "word " * 60)  # 300 bytes and more once framed: over the 256-byte limit
        # The server closes that socket with 1009; the page marks the message and reconnects.
        expect(alice.page.locator("#chat-error")).to_have_text("That message is too large to send.")
        expect(alice.page.locator("#messages > li.failed .meta")).to_have_text(
            "too large, not sent"
        )
        expect_connected(alice)
        say(alice, "short one")
        for user in (alice, bob):
            expect(user.page.locator("#messages > li:not(.failed) .text")).to_have_text(
                ["short one"]
            )
        expect(bob.page.locator("#messages > li")).to_have_count(1)


def expect_page_fits(user: User, viewport: ViewportSize) -> None:
    """Nothing sticks out sideways: the page is no wider than the screen."""
    assert user.page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def expect_fits(user: User, viewport: ViewportSize) -> None:
    """The page fits the screen and "Log out" is on it."""
    expect_page_fits(user, viewport)
    logout = user.page.get_by_role("button", name="Log out").bounding_box()
    assert logout is not None
    assert 0 <= logout["x"] and logout["x"] + logout["width"] <= viewport["width"]


@VIEWPORTS
def test_a_long_name_and_a_long_url_fit_the_screen(open_browser, viewport: ViewportSize) -> None:
    writer = sign_up(open_browser(LONG_NAME))
    expect_fits(writer, viewport)
    room = "a-room-with-the-longest-name-allowed-40c"
    create_room(writer, room)
    url = "https://example.com/" + "very-long-path-segment/" * 12 + "?q=" + "x" * 80
    say(writer, url)
    say(writer, "short")
    expect_messages(writer, [(LONG_NAME, url), (LONG_NAME, "short")])
    expect(writer.page.locator("#online li")).to_have_text([LONG_NAME])
    expect_fits(writer, viewport)
    # The text has the message's width to wrap in, not a sliver beside the name.
    list_box = writer.page.locator("#messages").bounding_box()
    text_box = writer.page.locator("#messages > li .text").first.bounding_box()
    assert list_box is not None and text_box is not None
    assert text_box["width"] >= 0.8 * list_box["width"]
    assert text_box["x"] + text_box["width"] <= list_box["x"] + list_box["width"]
    assert writer.csp_violations == []


@VIEWPORTS
def test_sign_up_errors_are_per_field_and_keep_what_was_typed(
    open_browser, viewport: ViewportSize
) -> None:
    visitor = open_browser("visitor")
    page = visitor.page
    page.locator("#register-username").fill("bad name!")
    page.locator("#register-password").fill("short")
    page.locator("#register-form button[type=submit]").click()
    # The browser checks the rules before posting: nothing is sent, nothing typed is lost.
    expect(page).to_have_url(re.compile(r"/login$"))
    for name, value in (("username", "bad name!"), ("password", "short")):
        box = page.locator(f"#register-{name}")
        expect(box).to_have_value(value)
        expect(box).to_have_js_property("validity.valid", False)

    # A browser that does not check (or a check it does not know) posts: the server answers per
    # field, in the sign-up form, and keeps the name there.
    page.locator("#register-form").evaluate("form => { form.noValidate = true; }")
    page.locator("#register-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/register$"))
    expect(page.locator("#register-username-error")).to_have_text(
        "Use 3 to 32 letters, digits, '-' or '_'."
    )
    expect(page.locator("#register-password-error")).to_have_text(
        "Use at least 8 characters (at most 128)."
    )
    expect(page.locator("#register-username")).to_have_value("bad name!")
    expect(page.locator("#login-username")).to_have_value("")
    expect(page.locator("#login-error")).to_have_count(0)
    expect_page_fits(visitor, viewport)

    # Enter in the address bar at /register: the page again, not a JSON 405.
    response = page.goto(page.url)
    assert response is not None and response.status == 200
    expect(page.locator("#register-form")).to_be_visible()

    # Fixed, it signs up.
    page.locator("#register-username").fill("visitor")
    page.locator("#register-password").fill(PASSWORD)
    page.locator("#register-form button[type=submit]").click()
    expect(page.locator(".whoami")).to_contain_text("visitor")


class HeldImages:
    """Holds back the user's attachment downloads until `release()`: the image loads only after
    its message was placed and scrolled to, as on a slow network."""

    def __init__(self, user: User) -> None:
        self.routes: list[Route] = []
        self.user = user
        user.page.route("**/api/attachments/*", self.hold)

    def hold(self, route: Route) -> None:
        self.routes.append(route)

    def release(self) -> None:
        expect(self.user.page.locator("#messages .attachment img")).not_to_have_count(0)
        # The request is on its way; each round trip to the browser lets Playwright hand the
        # route over. A bounded wait on that event, not a sleep.
        deadline = time.monotonic() + 5
        while not self.routes:
            assert time.monotonic() < deadline, "the image was never requested"
            self.user.page.evaluate("0")
        for route in self.routes:
            route.continue_()
        self.user.page.unroute("**/api/attachments/*", self.hold)
        images = self.user.page.locator("#messages .attachment img")
        for image in images.all():
            expect(image).not_to_have_js_property("naturalWidth", 0)


# A message of a few lines (fewer messages fill the list than the rate limit lets through).
WORDS = "and so the story goes on " * 10

# True when the newest message is wholly inside the list's visible part.
NEWEST_IN_VIEW = """() => {
  const list = document.getElementById("messages");
  const last = list.lastElementChild;
  if (!last) return false;
  const box = list.getBoundingClientRect(), item = last.getBoundingClientRect();
  return item.top >= box.top - 1 && item.bottom <= box.bottom + 1;
}"""


def expect_newest_in_view(user: User, in_view: bool = True) -> None:
    if in_view:
        user.page.wait_for_function(NEWEST_IN_VIEW, timeout=5_000)
    else:
        assert user.page.evaluate(NEWEST_IN_VIEW) is False


def upload_photo(user: User, height: int = 600) -> None:
    user.page.locator("#upload-file").set_input_files(
        files=[FilePayload(name="tall.png", mimeType="image/png", buffer=png(200, height))]
    )
    user.page.locator("#upload-form button[type=submit]").click()


@VIEWPORTS
def test_the_newest_message_stays_in_view_when_images_load_late(
    open_browser, viewport: ViewportSize
) -> None:
    alice, bob = two_in_a_room(open_browser, "photos")
    upload_photo(alice)
    for n in range(1, 13):
        say(alice, f"line {n}: {WORDS}")
    expect(bob.page.locator("#messages > li")).to_have_count(13)
    assert bob.page.evaluate("(l => l.scrollHeight > 2 * l.clientHeight)(messages)")

    # A reload: the history is placed and scrolled to the bottom before the photo arrives.
    held = HeldImages(bob)
    bob.page.reload()
    expect(bob.page.locator("#messages > li")).to_have_count(13)
    expect_newest_in_view(bob)
    held.release()
    expect_newest_in_view(bob)

    # A photo arriving live, at the bottom, is not cut off either.
    held = HeldImages(bob)
    upload_photo(alice)
    expect(bob.page.locator("#messages > li")).to_have_count(14)
    held.release()
    expect_newest_in_view(bob)
    expect(bob.page.locator("#new-messages")).to_be_hidden()


@VIEWPORTS
def test_a_reader_scrolled_up_is_not_moved_and_is_offered_the_new_messages(
    open_browser, viewport: ViewportSize
) -> None:
    alice, bob = two_in_a_room(open_browser, "history")
    for n in range(1, 13):
        say(alice, f"line {n}: {WORDS}")
    expect(bob.page.locator("#messages > li")).to_have_count(12)
    expect_newest_in_view(bob)
    assert bob.page.evaluate("(l => l.scrollHeight > 2 * l.clientHeight)(messages)")

    # Bob scrolls up to read: a new message neither moves him nor goes unannounced.
    bob.page.locator("#messages").hover()
    bob.page.mouse.wheel(0, -5000)
    bob.page.wait_for_function("() => document.getElementById('messages').scrollTop === 0")
    say(alice, "are you there?")
    say(alice, "bob?")
    expect(bob.page.locator("#new-messages")).to_have_text("2 new messages ↓")
    expect(bob.page.locator("#new-messages")).to_be_in_viewport()
    assert bob.page.evaluate("document.getElementById('messages').scrollTop") == 0
    expect_newest_in_view(bob, in_view=False)

    bob.page.locator("#new-messages").click()
    expect_newest_in_view(bob)
    expect(bob.page.locator("#new-messages")).to_be_hidden()
    # At the bottom again, he follows the conversation as it comes.
    say(alice, "welcome back")
    expect(bob.page.locator("#messages > li").last).to_have_text(re.compile("welcome back"))
    expect_newest_in_view(bob)
    expect(bob.page.locator("#new-messages")).to_be_hidden()


def rooms_refresh_ms() -> int:
    """How often an open room list asks for new rooms, as rooms.js sets it."""
    source = (ROOT / "capstone" / "static" / "rooms.js").read_text()
    found = re.search(r"const ROOMS_REFRESH_MS = (\d+);", source)
    assert found, "rooms.js no longer says ROOMS_REFRESH_MS: keep this test's bound in step"
    return int(found[1])


@VIEWPORTS
def test_a_new_room_appears_and_an_empty_room_says_so(open_browser, viewport: ViewportSize) -> None:
    bob = sign_up(open_browser("bob"))
    expect(bob.page.locator("#no-rooms")).to_be_visible()
    alice = sign_up(open_browser("alice"))
    create_room(alice, "fresh")
    # Bob's open list shows it without a reload (a refresh, and a margin for a busy machine).
    expect(bob.page.locator("#room-list li")).to_have_text(
        ["#fresh"], timeout=rooms_refresh_ms() + 5_000
    )
    expect(bob.page.locator("#no-rooms")).to_be_hidden()
    # A refresh that finds nothing new leaves the list alone: a keyboard user keeps their place.
    link = bob.page.get_by_role("link", name="#fresh")
    link.focus()
    with bob.page.expect_response("**/api/rooms", timeout=rooms_refresh_ms() + 5_000):
        pass
    expect(link).to_be_focused()

    # The room is empty, and says so.
    hint = alice.page.locator("#empty-room")
    expect(hint).to_have_text("No messages yet. Say hello to #fresh!")
    expect(hint).to_be_visible()
    # Spaces are nothing to send: Send is visibly disabled and Enter sends nothing.
    send = alice.page.locator("#send-form button[type=submit]")
    expect(send).to_be_disabled()
    say(alice, "   ")
    expect(send).to_be_disabled()
    expect(alice.page.locator("#messages > li")).to_have_count(0)
    alice.page.locator("#message-text").fill("hello")
    expect(send).to_be_enabled()
    send.click()
    expect_messages(alice, [("alice", "hello")])
    expect(hint).to_be_hidden()
    expect(send).to_be_disabled()
    expect_fits(alice, viewport)
    # A room with history shows no such hint, even after a reload.
    alice.page.reload()
    expect_messages(alice, [("alice", "hello")])
    expect(hint).to_be_hidden()


# Zones half an hour off UTC, so a time shown in UTC (or read as local when it is UTC) cannot
# pass; the test reads in the one where it is nearest noon now, so no midnight falls within it.
HALF_HOUR_ZONES = [
    "Asia/Kolkata",
    "Asia/Tehran",
    "Asia/Kabul",
    "Asia/Yangon",
    "Australia/Adelaide",
    "America/St_Johns",
    "Pacific/Marquesas",
]


def reader_zone() -> str:
    def from_noon(zone: str) -> float:
        now = datetime.now(ZoneInfo(zone))
        return abs(now.hour + now.minute / 60 - 12)

    return min(HALF_HOUR_ZONES, key=from_noon)


# The (day separator, author) each message shows: what is rendered and takes room on screen.
SHOWN_HEADERS = """items => items.map(li => {
  const shown = el => el.getBoundingClientRect().height > 2 ? el.textContent : null;
  return [shown(li.querySelector('.day')), shown(li.querySelector('.author'))];
})"""


def move_back(db: Path, seqs: list[int], by: timedelta) -> None:
    """Rewrites history: these messages were sent `by` earlier (the server's clock is now)."""
    with sqlite3.connect(db) as conn:
        for seq in seqs:
            row = conn.execute("SELECT sent_at FROM messages WHERE seq = ?", (seq,)).fetchone()
            (stored,) = row
            earlier = datetime.fromisoformat(stored) - by
            conn.execute("UPDATE messages SET sent_at = ? WHERE seq = ?", (str(earlier), seq))
    conn.close()


@VIEWPORTS
def test_messages_are_grouped_by_author_and_day_in_the_readers_time(
    open_browser, viewport: ViewportSize, tmp_path: Path
) -> None:
    alice = sign_up(open_browser("alice"))
    create_room(alice, "diary")
    zone = ZoneInfo(reader_zone())
    bob = sign_up(open_browser("bob", timezone_id=zone.key, locale="en-GB"))
    enter_room(bob, "diary")
    for user, text in [(alice, "one"), (alice, "two"), (bob, "three"), (alice, "four")]:
        say(user, text)
        expect(user.page.locator("#messages > li.pending")).to_have_count(0)
    expect_messages(bob, [("alice", "one"), ("alice", "two"), ("bob", "three"), ("alice", "four")])
    items = bob.page.locator("#messages > li")
    # Consecutive messages of one author share one header; a day's first message names the day.
    assert items.evaluate_all(SHOWN_HEADERS) == [
        ["Today", "alice"],
        [None, None],
        [None, "bob"],
        [None, "alice"],
    ]
    # Each time is the server's instant, shown in the reader's zone.
    history = bob.context.request.get("/api/rooms/diary/messages").json()
    for item, message in zip(items.all(), history, strict=True):
        sent = datetime.fromisoformat(message["sent_at"])
        sent = sent if sent.tzinfo else sent.replace(tzinfo=ZoneInfo("UTC"))
        time = item.locator("time")
        shown = datetime.fromisoformat(time.get_attribute("datetime") or "")
        assert abs(shown - sent) < timedelta(milliseconds=1)
        expect(time).to_have_text(sent.astimezone(zone).strftime("%H:%M"))

    # The first two were written two days ago: a day separator, and "one" and "two" begin it.
    move_back(tmp_path / "chat.db", [1, 2], timedelta(days=2))
    bob.page.reload()
    expect_messages(bob, [("alice", "one"), ("alice", "two"), ("bob", "three"), ("alice", "four")])
    headers = items.evaluate_all(SHOWN_HEADERS)
    then = datetime.fromisoformat(history[0]["sent_at"]) - timedelta(days=2)
    then = (then if then.tzinfo else then.replace(tzinfo=ZoneInfo("UTC"))).astimezone(zone)
    assert headers[0][1] == "alice" and headers[1] == [None, None]
    assert headers[0][0] is not None and then.strftime("%B") in headers[0][0]
    assert str(then.day) in headers[0][0]
    # "three" opens today: a new day begins with its author's header, whoever wrote last.
    assert headers[2:] == [["Today", "bob"], [None, "alice"]]
    expect_fits(bob, viewport)
    assert alice.csp_violations == [] and bob.csp_violations == []


def test_today_becomes_yesterday_at_midnight(open_browser) -> None:
    bob = sign_up(open_browser("bob", timezone_id="UTC"))
    # The page's clock starts at the real time and runs, but the test can move it on.
    bob.page.clock.install()
    create_room(bob, "night")
    say(bob, "just before midnight")
    expect(bob.page.locator("#messages > li.pending")).to_have_count(0)
    day = bob.page.locator("#messages > li .day")
    expect(day).to_have_text("Today")
    now = bob.page.evaluate("Date.now()")
    to_midnight = 86_400_000 - now % 86_400_000
    bob.page.clock.fast_forward(to_midnight + 5_000)
    expect(day).to_have_text("Yesterday")


# Headless Chromium keeps every page visible: a hidden tab is made as a browser makes one, its
# state first, then (for a tab that changes) the event.
HIDE_TAB = """
  Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
"""


def set_tab_hidden(user: User, hidden: bool) -> None:
    """The tab goes to the background (or comes back)."""
    user.page.evaluate(
        "hidden => {"
        '  for (const name of ["hidden", "visibilityState"]) delete document[name];'
        f"  if (hidden) {{ {HIDE_TAB} }}"
        '  document.dispatchEvent(new Event("visibilitychange"));'
        "}",
        hidden,
    )


@VIEWPORTS
def test_the_tab_title_counts_unread_messages_while_hidden(
    open_browser, viewport: ViewportSize
) -> None:
    alice, bob = two_in_a_room(open_browser, "lobby")
    expect(bob.page).to_have_title("#lobby · Chat")
    set_tab_hidden(bob, True)
    say(alice, "are you there?")
    expect(bob.page).to_have_title("(1) #lobby · Chat")
    say(alice, "hello?")
    say(alice, "bob!")
    expect(bob.page).to_have_title("(3) #lobby · Chat")
    set_tab_hidden(bob, False)
    expect(bob.page).to_have_title("#lobby · Chat")
    set_tab_hidden(bob, True)
    say(alice, "one more")
    expect(bob.page).to_have_title("(1) #lobby · Chat")
    set_tab_hidden(bob, False)
    expect(bob.page).to_have_title("#lobby · Chat")

    # Opened in a background tab: the history is not news, what comes after it is.
    carol = sign_up(open_browser("carol"))
    carol.context.add_init_script(HIDE_TAB)
    enter_room(carol, "lobby")
    expect(carol.page.locator("#messages > li")).to_have_count(4)
    expect(carol.page).to_have_title("#lobby · Chat")
    say(alice, "hi carol")
    expect(carol.page).to_have_title("(1) #lobby · Chat")
