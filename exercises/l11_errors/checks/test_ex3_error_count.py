"""Checks for exercise 11.3: the 422 is FastAPI's own, with `X-Error-Count` added."""

from fastapi.testclient import TestClient

SENT = 'POST /rooms/general/messages with {"text": "", "reply_to": "first"}'


def test_the_422_counts_its_errors(client: TestClient) -> None:
    response = client.post("/rooms/general/messages", json={"text": "", "reply_to": "first"})
    count = response.headers.get("x-error-count")
    assert response.status_code == 422 and count == "2", (
        f"{SENT} answered {response.status_code} with the header X-Error-Count {count!r}; "
        "expected 422 with X-Error-Count: 2"
    )


def test_the_body_is_fastapis_own(client: TestClient) -> None:
    response = client.post("/rooms/general/messages", json={"text": "", "reply_to": "first"})
    detail = response.json().get("detail") if response.status_code == 422 else None
    places = [error.get("loc") for error in detail] if isinstance(detail, list) else []
    complete = isinstance(detail, list) and all(
        {"type", "loc", "msg", "input"} <= error.keys() for error in detail
    )
    assert places == [["body", "text"], ["body", "reply_to"]] and complete, (
        f"{SENT} answered {response.status_code} {response.text}; expected FastAPI's usual "
        '{"detail": [...]}: one error about body.text, one about body.reply_to, each with its '
        '"type", "loc", "msg" and "input"'
    )


def test_one_error_counts_one(client: TestClient) -> None:
    response = client.post("/rooms/general/messages", json={})
    count = response.headers.get("x-error-count")
    assert response.status_code == 422 and count == "1", (
        f"POST /rooms/general/messages with {{}} answered {response.status_code} with the "
        f"header X-Error-Count {count!r}; expected 422 with X-Error-Count: 1"
    )


def test_a_good_message_is_still_taken(client: TestClient) -> None:
    response = client.post("/rooms/general/messages", json={"text": "hi"})
    assert response.status_code == 201 and "x-error-count" not in response.headers, (
        'POST /rooms/general/messages with {"text": "hi"} answered '
        f"{response.status_code} {response.text}; expected 201 without X-Error-Count"
    )
