"""Lesson 18: the chat page from a template, its static files, and the page in a real browser."""

import base64
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Dialog, Error, Page, expect

from lessons.l18_templates_and_static import app
from tests.conftest import ROOT
from tests.live import LiveServer, live_server


@pytest.fixture
def client() -> Iterator[TestClient]:
    # As a context manager, TestClient runs every socket of a test on one event loop. Without it
    # each socket gets its own loop in its own thread, and a broadcast from one socket's handler
    # to another socket crosses threads: it can hang.
    with TestClient(app) as test_client:
        yield test_client


XSS = "<img src=x onerror=alert(1)>"
SCREENSHOT = ROOT / "docs" / "lessons" / "img" / "18-chat.png"


def test_the_page_is_rendered_from_the_template(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = response.text
    assert "<title>FastAPI + WebSocket Chat</title>" in page
    assert '<strong id="nickname">guest</strong>' in page
    # url_for built the static addresses from the mount's name.
    assert '<link rel="stylesheet" href="http://testserver/static/chat.css">' in page
    assert '<script src="http://testserver/static/chat.js" defer></script>' in page
    client_id = re.search(r'<span id="client-id">(\d+)</span>', page)
    assert client_id is not None
    assert f'data-socket-path="/ws/{client_id[1]}"' in page


def test_the_script_is_not_inline(client: TestClient) -> None:
    page = client.get("/").text
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", page, flags=re.S)
    assert scripts == [""]  # one script element, and it only points at the static file
    assert "onsubmit" not in page and "onclick" not in page


def test_each_page_load_gets_its_own_client_id(client: TestClient) -> None:
    found = [re.search(r'id="client-id">(\d+)<', client.get("/").text) for _ in range(2)]
    ids = [match[1] for match in found if match is not None]
    assert len(ids) == 2
    assert int(ids[1]) == int(ids[0]) + 1


def test_the_template_escapes_what_it_is_given(client: TestClient) -> None:
    response = client.get("/", params={"nickname": "<b>ada</b>"})
    assert '<strong id="nickname">&lt;b&gt;ada&lt;/b&gt;</strong>' in response.text
    assert "<b>ada</b>" not in response.text


def test_a_long_nickname_is_refused(client: TestClient) -> None:
    response = client.get("/", params={"nickname": "x" * 33})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "string_too_long",
                "loc": ["query", "nickname"],
                "msg": "String should have at most 32 characters",
                "input": "x" * 33,
                "ctx": {"max_length": 32},
            }
        ]
    }


def test_static_files_are_served_with_their_types(client: TestClient) -> None:
    script = client.get("/static/chat.js")
    assert script.status_code == 200
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    style = client.get("/static/chat.css")
    assert style.status_code == 200
    assert style.headers["content-type"] == "text/css; charset=utf-8"
    assert client.get("/static/missing.js").status_code == 404
    # StaticFiles never serves anything outside its folder.
    assert client.get("/static/../l18_templates_and_static.py").status_code == 404
    assert client.get("/static/%2e%2e/l18_templates_and_static.py").status_code == 404


def test_the_script_builds_the_socket_url_from_location_and_renders_text(
    client: TestClient,
) -> None:
    script = client.get("/static/chat.js").text
    assert 'location.protocol === "https:" ? "wss:" : "ws:"' in script
    assert "${location.host}${form.dataset.socketPath}" in script
    assert "item.textContent = event.data" in script
    assert not re.search(r"\.innerHTML\s*=|insertAdjacentHTML|document\.write", script)
    assert not re.search(r"127\.0\.0\.1|localhost|:8000", script)


def test_url_for_follows_a_mount_prefix() -> None:
    # The course home mounts this lesson under /lessons/18: every address must follow.
    home = FastAPI()
    home.mount("/lessons/18", app)
    with TestClient(home) as mounted:
        page = mounted.get("/lessons/18/").text
        assert 'src="http://testserver/lessons/18/static/chat.js"' in page
        assert re.search(r'data-socket-path="/lessons/18/ws/\d+"', page)
        assert mounted.get("/lessons/18/static/chat.js").status_code == 200


def test_the_socket_broadcasts_and_says_who_left(client: TestClient) -> None:
    with client.websocket_connect("/ws/1") as first:
        with client.websocket_connect("/ws/2") as second:
            first.send_text(XSS)
            # The server sends the text as it came; showing it safely is the page's job.
            assert first.receive_text() == f"Client #1: {XSS}"
            assert second.receive_text() == f"Client #1: {XSS}"
        assert first.receive_text() == "Client #2 left the chat"


def test_openapi_lists_the_page_only(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert schema["info"]["title"] == "Lesson 18 — Templates and static files"
    assert list(schema["paths"]) == ["/"]
    answer = schema["paths"]["/"]["get"]["responses"]["200"]["content"]
    assert list(answer) == ["text/html"]


# --- In a real browser -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with live_server("lessons.l18_templates_and_static:app") as live:
        yield live


@dataclass
class Member:
    """One browser context (its own cookies and storage) with the chat page open in it."""

    page: Page
    client_id: str
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def say(self, text: str) -> None:
        self.page.get_by_label("Message").fill(text)
        self.page.get_by_label("Message").press("Enter")


@pytest.fixture
def members(browser: Browser, server: LiveServer) -> Iterator[tuple[Member, Member]]:
    contexts = [
        browser.new_context(viewport={"width": 520, "height": 380}),
        browser.new_context(viewport={"width": 520, "height": 380}),
    ]
    pair = []
    for nickname, context in zip(["ada", "grace"], contexts, strict=True):
        page = context.new_page()
        dialogs: list[str] = []
        errors: list[str] = []

        def on_dialog(dialog: Dialog, dialogs: list[str] = dialogs) -> None:
            dialogs.append(dialog.message)
            dialog.dismiss()

        def on_error(error: Error, errors: list[str] = errors) -> None:
            errors.append(str(error))

        page.on("dialog", on_dialog)
        page.on("pageerror", on_error)
        page.goto(f"{server.url}/?nickname={nickname}")
        # Wait until this page's socket is open, so nothing it sends or should receive is lost.
        expect(page.locator("#status")).to_have_text("connected")
        pair.append(Member(page, page.locator("#client-id").inner_text(), dialogs, errors))
    yield pair[0], pair[1]
    for context in contexts:
        context.close()


@pytest.mark.browser
def test_a_message_from_one_browser_appears_in_the_other(members: tuple[Member, Member]) -> None:
    ada, grace = members
    ada.say("hello from ada")
    expect(grace.page.locator("#messages")).to_contain_text(
        f"Client #{ada.client_id}: hello from ada"
    )
    grace.say("hi ada")
    expect(ada.page.locator("#messages")).to_contain_text(f"Client #{grace.client_id}: hi ada")
    # The sender's own message came back through the socket too.
    expect(ada.page.locator("#messages li").first).to_have_text(
        f"Client #{ada.client_id}: hello from ada"
    )
    assert ada.errors == grace.errors == []


@pytest.mark.browser
def test_markup_in_a_message_shows_as_text_and_runs_nothing(
    browser: Browser, members: tuple[Member, Member]
) -> None:
    ada, grace = members
    ada.say("hello, try pasting this:")
    ada.say(XSS)
    last = grace.page.locator("#messages li").last
    expect(last).to_have_text(f"Client #{ada.client_id}: {XSS}")  # literally, as typed
    expect(last).to_be_visible()
    for member in members:
        expect(member.page.locator("#messages img")).to_have_count(0)
    grace.say("nice try")
    expect(ada.page.locator("#messages li").last).to_have_text(
        f"Client #{grace.client_id}: nice try"
    )
    # Had an <img> been created, its onerror would have opened a dialog by now.
    assert ada.dialogs == grace.dialogs == []
    assert ada.errors == grace.errors == []
    if os.environ.get("WRITE_SCREENSHOTS") == "1":
        write_side_by_side(browser, [ada.page, grace.page])


def write_side_by_side(browser: Browser, pages: list[Page]) -> None:
    """Put the two pages' screenshots next to each other in one PNG for the lesson's page."""
    shots = [base64.b64encode(page.screenshot()).decode() for page in pages]
    context = browser.new_context(viewport={"width": 1080, "height": 400})
    sheet = context.new_page()
    images = "".join(
        f'<img src="data:image/png;base64,{shot}" style="border:1px solid #999">' for shot in shots
    )
    sheet.set_content(
        f'<body style="margin:0;padding:10px;display:flex;gap:10px;background:#e8e8ee">{images}'
    )
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    sheet.screenshot(path=SCREENSHOT, full_page=True)
    context.close()
