"""Checks for exercise 30.2: CHAT_ENVIRONMENT sets the environment, and a typo is refused."""

from types import ModuleType

import pytest
from fastapi.testclient import TestClient


def test_the_default_is_development(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHAT_ENVIRONMENT", raising=False)
    environment = client.get("/healthz").json().get("environment")
    assert environment == "development", (
        f"with CHAT_ENVIRONMENT unset /healthz says {environment!r}; expected 'development'"
    )


def test_the_environment_variable_sets_it(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHAT_ENVIRONMENT", "production")
    environment = client.get("/healthz").json().get("environment")
    assert environment == "production", (
        f"with CHAT_ENVIRONMENT=production /healthz says {environment!r}; expected 'production'"
    )


def test_a_misspelt_environment_is_refused(
    monkeypatch: pytest.MonkeyPatch, exercise: ModuleType
) -> None:
    monkeypatch.setenv("CHAT_ENVIRONMENT", "prod")
    with pytest.raises(Exception) as refused:
        exercise.Settings()
    assert "environment" in str(refused.value), (
        "Settings() with CHAT_ENVIRONMENT=prod did not name the setting in its error"
    )
