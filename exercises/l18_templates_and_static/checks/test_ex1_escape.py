"""Checks for exercise 18.1: messages are escaped in the page."""

from fastapi.testclient import TestClient


def test_markup_in_a_message_is_shown_as_text(client: TestClient) -> None:
    page = client.get("/rooms/general").text
    assert "<img" not in page, (
        "GET /rooms/general has a real <img> tag from mallory's message in it: the template "
        "trusts the text"
    )
    assert "mallory: &lt;img src=x onerror=alert(1)&gt;" in page, (
        "GET /rooms/general does not show mallory's message as text (&lt;img ...&gt;)"
    )
    assert "bob: 1 &lt; 2 &amp; 3 &gt; 2" in page, "bob's < & > are not escaped"


def test_plain_messages_are_unchanged(client: TestClient) -> None:
    assert "<li>ada: hello</li>" in client.get("/rooms/general").text
