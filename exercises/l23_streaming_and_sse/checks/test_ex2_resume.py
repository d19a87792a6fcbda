"""Checks for exercise 23.2: the events resume after Last-Event-ID."""

from fastapi.testclient import TestClient


def event_ids(text: str) -> list[str]:
    return [line.removeprefix("id: ") for line in text.splitlines() if line.startswith("id: ")]


def test_without_the_header_every_event_comes(client: TestClient) -> None:
    ids = event_ids(client.get("/rooms/general/events").text)
    assert ids == ["1", "2", "3"], f"GET /rooms/general/events sent the ids {ids}; expected 1, 2, 3"


def test_with_the_header_only_the_later_events_come(client: TestClient) -> None:
    for last, expected in [("1", ["2", "3"]), ("3", []), ("0", ["1", "2", "3"])]:
        response = client.get("/rooms/general/events", headers={"Last-Event-ID": last})
        ids = event_ids(response.text)
        assert ids == expected, (
            f"GET /rooms/general/events with Last-Event-ID: {last} sent the ids {ids}; "
            f"expected {expected}"
        )


def test_a_header_that_is_not_a_number_is_422(client: TestClient) -> None:
    response = client.get("/rooms/general/events", headers={"Last-Event-ID": "abc"})
    assert response.status_code == 422, (
        f"GET /rooms/general/events with Last-Event-ID: abc answered {response.status_code}; "
        "expected 422"
    )
