"""Checks for exercise 15.1: every answer carries X-Process-Time."""

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize(("path", "status"), [("/rooms", 200), ("/rooms/nowhere", 404)])
def test_every_answer_says_how_long_it_took(client: TestClient, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status
    value = response.headers.get("x-process-time")
    assert value is not None, f"GET {path} came without an X-Process-Time header"
    try:
        seconds = float(value)
    except ValueError:
        raise AssertionError(
            f"X-Process-Time was {value!r}; expected a number of seconds"
        ) from None
    assert 0 <= seconds < 60, f"X-Process-Time was {seconds} seconds"
