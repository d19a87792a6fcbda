"""Checks for exercise 22.2: each start of the app begins with an empty room."""

from types import ModuleType

from fastapi.testclient import TestClient


def test_each_start_begins_empty(exercise: ModuleType) -> None:
    with TestClient(exercise.app) as first:
        first.post("/rooms/general/messages", params={"text": "from the first test"})
    with TestClient(exercise.app) as second:
        messages = second.get("/rooms/general/messages").json()
    assert messages == [], (
        f"a second start of the app found {messages} in the room; expected []: the store is "
        "made once at import, not by the lifespan at each start"
    )


def test_messages_are_kept_while_it_runs(client: TestClient) -> None:
    client.post("/rooms/general/messages", params={"text": "one"})
    answer = client.post("/rooms/general/messages", params={"text": "two"}).json()
    assert answer == ["one", "two"], f"after two posts the room holds {answer}"
    assert client.get("/rooms/general/messages").json() == ["one", "two"]
