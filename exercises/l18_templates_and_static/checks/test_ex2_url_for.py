"""Checks for exercise 18.2: the stylesheet's address carries the app's root path."""

import re
from types import ModuleType

from fastapi.testclient import TestClient

LINK = re.compile(r'<link rel="stylesheet" href="([^"]+)"')


def test_under_a_prefix_the_link_carries_it(exercise: ModuleType) -> None:
    with TestClient(exercise.app, root_path="/chat") as behind:
        page = behind.get("/chat/rooms/general").text
        found = LINK.search(page)
        href = found.group(1) if found else None
        assert href is not None and href.endswith("/chat/static/chat.css"), (
            f"served under /chat, the page links its stylesheet as {href}; expected an address "
            "ending in /chat/static/chat.css"
        )
        assert behind.get(href).status_code == 200, f"the stylesheet at {href} is not served"


def test_without_a_prefix_it_still_works(client: TestClient) -> None:
    found = LINK.search(client.get("/rooms/general").text)
    assert found, "the page has no stylesheet link"
    assert client.get(found.group(1)).status_code == 200
