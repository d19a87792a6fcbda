"""The interactive docs with no internet: a browser refused every request off this machine.

Swagger UI (/docs) and ReDoc (/redoc) must still render, for a lesson in the course home, for a
lesson served alone (`make lesson`), and for the chat. Any request to another host is aborted and
remembered; the test fails if the page even tried one.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.e2e.test_chat_browser import chat_server
from tests.live import LiveServer, live_server

pytestmark = pytest.mark.browser

ON_THIS_MACHINE = {"127.0.0.1", "localhost"}
# ReDoc's "API docs by Redocly" credit always asks for its logo; when the image does not come,
# ReDoc drops it and shows the words alone. Nothing else may be asked of another host.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@pytest.fixture(scope="module")
def course_home() -> Iterator[LiveServer]:
    with live_server("lessons.home:app") as server:
        yield server


@pytest.fixture(scope="module")
def one_lesson() -> Iterator[LiveServer]:
    with live_server("lessons.serving:one_lesson", env={"LESSON": "14"}, args=["--factory"]) as s:
        yield s


@pytest.fixture(scope="module")
def chat(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with chat_server(tmp_path_factory.mktemp("chat")) as server:
        yield server


@pytest.fixture
def offline_page(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    context = browser.new_context()
    refused: list[str] = []

    def only_this_machine(route: Route) -> None:
        if urlsplit(route.request.url).hostname in ON_THIS_MACHINE:
            route.continue_()
        else:
            if route.request.url != REDOC_LOGO:
                refused.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", only_this_machine)
    page = context.new_page()
    yield page, refused
    context.close()


def swagger_ui_renders(page: Page, url: str, operation: str) -> None:
    page.goto(url)
    expect(page.locator(".opblock").first).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text=operation).first).to_be_visible()


def redoc_renders(page: Page, url: str, operation: str) -> None:
    page.goto(url)
    expect(page.get_by_role("link", name="API docs by Redocly")).to_be_visible()
    # ReDoc lists each operation by its summary in the side menu and as a heading.
    expect(page.get_by_role("heading", name=operation).first).to_be_visible()


def test_a_lesson_in_the_course_home(
    course_home: LiveServer, offline_page: tuple[Page, list[str]]
) -> None:
    page, refused = offline_page
    swagger_ui_renders(page, f"{course_home.url}/lessons/05/docs", "/rooms")
    redoc_renders(page, f"{course_home.url}/lessons/05/redoc", "Create Room")
    assert refused == []


def test_a_lesson_served_alone(
    one_lesson: LiveServer, offline_page: tuple[Page, list[str]]
) -> None:
    page, refused = offline_page
    swagger_ui_renders(page, f"{one_lesson.url}/docs", "/token")
    # The OAuth2 dialog of lesson 14 opens: Swagger UI's own scripts are all there.
    page.get_by_role("button", name="Authorize").first.click()
    expect(page.locator(".auth-container").first).to_be_visible()
    redoc_renders(page, f"{one_lesson.url}/redoc", "Login")
    assert refused == []


def test_the_chat(chat: LiveServer, offline_page: tuple[Page, list[str]]) -> None:
    page, refused = offline_page
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    swagger_ui_renders(page, f"{chat.url}/docs", "/api/rooms")
    redoc_renders(page, f"{chat.url}/redoc", "Healthz")
    assert refused == []
    # The chat's strict CSP lets its docs pages run: nothing was refused on the way.
    blocked = [e for e in errors if "Content Security Policy" in e and REDOC_LOGO not in e]
    assert blocked == []


@pytest.mark.parametrize("viewport", [(390, 844), (1280, 800)], ids=["phone", "desktop"])
def test_the_course_home_leads_to_a_lessons_docs(
    course_home: LiveServer, browser: Browser, viewport: tuple[int, int]
) -> None:
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height})
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if urlsplit(route.request.url).hostname in ON_THIS_MACHINE
            else route.abort("internetdisconnected")
        ),
    )
    page = context.new_page()
    page.goto(course_home.url)
    expect(page.get_by_role("heading", name="Request body")).to_be_visible()
    # The page fits the screen: nothing wider than the viewport, no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    lesson = page.locator("li", has=page.get_by_role("heading", name="Request body"))
    expect(lesson.locator("code").first).to_be_visible()  # `code` in the summary, not backticks
    lesson.get_by_role("link", name="Try it: /docs").click()
    expect(page).to_have_url(f"{course_home.url}/lessons/05/docs")
    expect(page.locator(".opblock").first).to_be_visible()
    context.close()
