"""Checks for exercise 20.1: the message length limit comes from CHAT_MAX_MESSAGE_LENGTH."""

from types import ModuleType

import pytest
from fastapi.testclient import TestClient


def test_the_default_limit_is_500(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHAT_MAX_MESSAGE_LENGTH", raising=False)
    assert client.post("/messages", json={"text": "x" * 500}).status_code == 201
    refused = client.post("/messages", json={"text": "x" * 501})
    assert refused.status_code == 422, f"501 characters answered {refused.status_code}"


def test_the_environment_raises_the_limit(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHAT_MAX_MESSAGE_LENGTH", "1000")
    response = client.post("/messages", json={"text": "x" * 800})
    assert response.status_code == 201, (
        f"with CHAT_MAX_MESSAGE_LENGTH=1000 a message of 800 characters answered "
        f"{response.status_code} {response.text}; expected 201"
    )
    refused = client.post("/messages", json={"text": "x" * 1001})
    assert refused.json() == {"detail": "Message too long: at most 1000 characters"}, (
        f"with the limit at 1000, 1001 characters answered {refused.text}; expected the "
        "detail 'Message too long: at most 1000 characters'"
    )


def test_a_limit_of_zero_is_refused(exercise: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAT_MAX_MESSAGE_LENGTH", "0")
    with pytest.raises(ValueError):
        exercise.Settings()
