"""Checks for exercise 05.1: the message is read from the JSON body."""

import json

from fastapi.testclient import TestClient


def test_the_text_comes_from_the_body(client: TestClient) -> None:
    response = client.post("/rooms/1/messages", json={"text": "Hello, room!"})
    sent = 'POST /rooms/1/messages with {"text": "Hello, room!"}'
    assert response.status_code == 201, (
        f"{sent} answered {response.status_code} {response.text}; expected 201"
    )
    message = response.json().get("message", {})
    assert message.get("text") == "Hello, room!", (
        f"{sent} answered with the message {json.dumps(message)}; "
        'expected its "text" to be "Hello, room!"'
    )


def test_reply_to_is_optional_and_read_from_the_body(client: TestClient) -> None:
    response = client.post("/rooms/1/messages", json={"text": "yes", "reply_to": 3})
    message = response.json().get("message", {}) if response.status_code == 201 else {}
    assert message.get("reply_to") == 3, (
        'POST /rooms/1/messages with {"text": "yes", "reply_to": 3} answered '
        f'{response.status_code} {response.text}; expected the message back with "reply_to": 3'
    )


def test_an_empty_text_is_refused(client: TestClient) -> None:
    response = client.post("/rooms/1/messages", json={"text": ""})
    places = [error.get("loc") for error in response.json().get("detail", [])]
    assert response.status_code == 422 and ["body", "text"] in places, (
        'POST /rooms/1/messages with {"text": ""} answered '
        f"{response.status_code} {response.text}; expected 422 about body.text (at least 1 "
        "character)"
    )


def test_a_text_of_501_characters_is_refused(client: TestClient) -> None:
    response = client.post("/rooms/1/messages", json={"text": "x" * 501})
    assert response.status_code == 422, (
        f"POST /rooms/1/messages with a text of 501 characters answered {response.status_code}; "
        "expected 422 (at most 500 characters)"
    )
