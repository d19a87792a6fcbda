"""Lesson 20: settings from the environment and a .env file, a cached dependency, and lifespan."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from lessons.l20_settings_and_lifespan import Settings, app, get_settings


@pytest.fixture(autouse=True)
def clean_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    # Whatever CHAT_* variables the machine has must not leak into a test, and the audit log goes
    # to this test's own folder.
    for name in list(os.environ):
        if name.startswith("CHAT_"):
            monkeypatch.delenv(name)
    audit_log = tmp_path / "logs" / "audit.log"
    monkeypatch.setenv("CHAT_AUDIT_LOG", str(audit_log))
    get_settings.cache_clear()
    yield audit_log
    get_settings.cache_clear()
    app.dependency_overrides.clear()


def test_defaults_when_nothing_is_set(clean_settings: Path) -> None:
    settings = get_settings()
    assert settings.app_name == "Lesson 20 chat"
    assert settings.max_message_length == 500
    assert settings.audit_log == clean_settings


def test_environment_variables_are_read_and_converted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAT_APP_NAME", "Night shift")
    monkeypatch.setenv("CHAT_MAX_MESSAGE_LENGTH", "42")
    settings = get_settings()
    assert settings.app_name == "Night shift"
    assert settings.max_message_length == 42  # the string "42" became an int


def test_a_bad_environment_value_fails_at_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAT_MAX_MESSAGE_LENGTH", "0")
    with pytest.raises(ValidationError) as caught:
        get_settings()
    assert caught.value.errors()[0]["loc"] == ("max_message_length",)
    assert caught.value.errors()[0]["type"] == "greater_than"


def test_dotenv_file_is_read_and_the_environment_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env_file = tmp_path / "chat.env"
    env_file.write_text("CHAT_APP_NAME=From dotenv\nCHAT_ADMIN_EMAIL=ops@example.com\n")
    monkeypatch.setenv("CHAT_ENV_FILE", str(env_file))
    monkeypatch.setenv("CHAT_ADMIN_EMAIL", "oncall@example.com")
    settings = get_settings()
    assert settings.app_name == "From dotenv"
    assert settings.admin_email == "oncall@example.com"


def test_a_dotenv_in_the_current_directory_is_not_read(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text("CHAT_APP_NAME=Stray file\n")
    monkeypatch.chdir(tmp_path)
    assert get_settings().app_name == "Lesson 20 chat"


def test_get_settings_is_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    first = get_settings()
    monkeypatch.setenv("CHAT_APP_NAME", "Changed later")
    assert get_settings() is first  # read once per process
    get_settings.cache_clear()
    assert get_settings().app_name == "Changed later"


def test_settings_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAT_APP_NAME", "Night shift")
    with TestClient(app) as client:
        response = client.get("/settings")
    assert response.status_code == 200
    assert response.json() == {
        "app_name": "Night shift",
        "max_message_length": 500,
        "admin_email": "admin@example.com",
    }


def test_dependency_override_replaces_the_settings(tmp_path: Path) -> None:
    audit_log = tmp_path / "override.log"
    app.dependency_overrides[get_settings] = lambda: Settings(
        app_name="Test chat", max_message_length=5, audit_log=audit_log
    )
    with TestClient(app) as client:
        assert client.get("/settings").json()["app_name"] == "Test chat"
        too_long = client.post("/messages", json={"author": "ada", "text": "hello!"})
        assert too_long.status_code == 422
        assert too_long.json() == {"detail": "Message longer than 5 characters"}
        ok = client.post("/messages", json={"author": "ada", "text": "hello"})
        assert ok.status_code == 201
        assert ok.json() == {"status": "logged", "app": "Test chat"}
    # The lifespan honoured the override too: the log went where the test said.
    assert audit_log.read_text() == "ada: hello\n"


def test_lifespan_opens_the_resource_and_closes_it_at_shutdown(clean_settings: Path) -> None:
    with TestClient(app) as client:
        audit = client.app_state["audit"]
        assert client.get("/status").json()["audit_open"] is True
        response = client.post("/messages", json={"author": "linus", "text": "hi all"})
        assert response.status_code == 201
        assert not audit.closed
    assert audit.closed  # leaving the `with` ran the lifespan's shutdown half
    assert clean_settings.read_text() == "linus: hi all\n"


def test_status_reports_the_start_time() -> None:
    with TestClient(app) as client:
        body = client.get("/status").json()
        assert body == {
            "started_at": client.app_state["started_at"].isoformat(),
            "audit_open": True,
        }


def test_without_the_context_manager_there_is_no_lifespan() -> None:
    client = TestClient(app)
    # /settings needs no lifespan state, so it works...
    assert client.get("/settings").status_code == 200
    # ...but the audit log was never opened: request.state has no `audit`.
    with pytest.raises(AttributeError, match="audit"):
        client.post("/messages", json={"author": "ada", "text": "hi"})


def test_message_body_is_validated() -> None:
    with TestClient(app) as client:
        response = client.post("/messages", json={"author": "", "text": "hi"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "string_too_short",
                "loc": ["body", "author"],
                "msg": "String should have at least 1 character",
                "input": "",
                "ctx": {"min_length": 1},
            }
        ]
    }
