"""Checks for exercise 22.1: the clock is a dependency a test can replace."""

from datetime import UTC, datetime
from types import ModuleType

from fastapi.testclient import TestClient

FIXED = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_a_fixed_clock_stamps_the_message(client: TestClient, exercise: ModuleType) -> None:
    get_clock = getattr(exercise, "get_clock", None)
    assert get_clock is not None, "the app has no `get_clock` dependency to replace"
    exercise.app.dependency_overrides[get_clock] = lambda: lambda: FIXED
    try:
        response = client.post("/rooms/general/messages", json={"text": "hi"})
    finally:
        exercise.app.dependency_overrides.clear()
    assert response.status_code == 201, f"POST answered {response.status_code} {response.text}"
    sent_at = response.json()["sent_at"]
    assert sent_at == "2030-01-02T03:04:05Z", (
        f"with get_clock replaced by a clock fixed at 2030-01-02T03:04:05Z the message was "
        f"stamped {sent_at}: the endpoint does not ask the dependency for the time"
    )


def test_without_an_override_the_time_is_now(client: TestClient) -> None:
    before = datetime.now(UTC)
    response = client.post("/rooms/general/messages", json={"text": "hi"})
    sent_at = datetime.fromisoformat(response.json()["sent_at"])
    assert before <= sent_at <= datetime.now(UTC), f"the message was stamped {sent_at}, not now"
