"""Checks for exercise 20.2: the lifespan hands a counter to every request."""

from types import ModuleType

from fastapi.testclient import TestClient


def test_the_counter_counts(client: TestClient) -> None:
    first = client.post("/messages")
    assert first.status_code == 201, (
        f"POST /messages answered {first.status_code} {first.text}; expected 201: the request "
        "finds no counter in request.state until the lifespan yields one"
    )
    assert client.post("/messages").json() == {"posted": 2}


def test_each_start_begins_at_zero(exercise: ModuleType) -> None:
    for _ in range(2):
        with TestClient(exercise.app) as client:
            answer = client.post("/messages").json()
            assert answer == {"posted": 1}, f"the first post after a start answered {answer}"
