"""Checks for exercise 09.2: `NewRoom` is read from form fields."""

from fastapi.testclient import TestClient

FORM = {"name": "book-club", "topic": "This month", "private": "on", "tags": ["books", "weekly"]}
SENT = "POST /rooms with the form name=book-club&topic=This month&private=on&tags=books&tags=weekly"


def test_the_form_opens_a_room(client: TestClient) -> None:
    response = client.post("/rooms", data=FORM)
    expected = {"name": "book-club", "topic": "This month", "private": True}
    expected_tags = ["books", "weekly"]
    body = response.json() if response.status_code == 201 else {}
    assert {key: body.get(key) for key in expected} == expected, (
        f"{SENT} answered {response.status_code} {response.text}; expected 201 with "
        '"name": "book-club", "topic": "This month", "private": true'
    )
    assert body.get("tags") == expected_tags, (
        f'{SENT} answered "tags": {body.get("tags")}; expected ["books", "weekly"]'
    )


def test_an_unticked_checkbox_is_false(client: TestClient) -> None:
    response = client.post("/rooms", data={"name": "general"})
    body = response.json() if response.status_code == 201 else {}
    assert body.get("private") is False and body.get("tags") == [], (
        "POST /rooms with the form name=general (no checkbox ticked) answered "
        f'{response.status_code} {response.text}; expected 201 with "private": false, "tags": []'
    )


def test_an_unknown_field_is_refused(client: TestClient) -> None:
    response = client.post("/rooms", data={"name": "general", "colour": "red"})
    assert response.status_code == 422, (
        "POST /rooms with the form name=general&colour=red answered "
        f"{response.status_code} {response.text}; expected 422: NewRoom has no colour"
    )
