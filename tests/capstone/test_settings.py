"""Settings: the CHAT_ environment, the defaults of the API contract, and the kept secret."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

import capstone
from capstone.main import create_app
from capstone.settings import Settings
from tests.capstone.conftest import Databases, make_settings

PROJECT = Path(capstone.__file__).resolve().parent.parent


def test_defaults_follow_the_contract(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "SECRET_KEY", "ALLOWED_ORIGINS", "UPLOAD_DIR", "REDIS_URL"):
        monkeypatch.delenv(f"CHAT_{name}", raising=False)
    settings = Settings()
    assert settings.database_url == f"sqlite+aiosqlite:///{PROJECT / 'var' / 'chat.db'}"
    assert settings.redis_url is None
    assert settings.allowed_origins == ["http://127.0.0.1:8000", "http://localhost:8000"]
    assert settings.max_message_bytes == 16384
    assert settings.max_upload_bytes == 5 * 1024 * 1024
    assert settings.upload_dir == PROJECT / "var" / "uploads"
    assert settings.secret_key is None


def test_environment_with_the_chat_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAT_ALLOWED_ORIGINS", '["https://chat.example"]')
    monkeypatch.setenv("CHAT_MAX_MESSAGE_BYTES", "4096")
    monkeypatch.setenv("CHAT_SECRET_KEY", "k" * 32)
    settings = Settings()
    assert settings.allowed_origins == ["https://chat.example"]
    assert settings.max_message_bytes == 4096
    assert settings.secret() == "k" * 32


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least 32 bytes"):
        Settings(secret_key="too-short")


def test_secret_generated_once_and_kept_private(tmp_path: Path) -> None:
    secret_file = tmp_path / "var" / "secret_key"
    first = Settings(secret_file=secret_file).secret()
    assert len(first.encode()) >= 32
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert Settings(secret_file=secret_file).secret() == first


def test_building_the_app_touches_no_disk(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'db' / 'chat.db'}",
        secret_file=tmp_path / "secret" / "key",
        upload_dir=tmp_path / "uploads",
    )
    create_app(settings)
    assert list(tmp_path.iterdir()) == []


def test_uploads_are_kept_outside_the_static_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHAT_UPLOAD_DIR", raising=False)
    upload_dir = Settings().upload_dir
    assert not upload_dir.is_relative_to(PROJECT / "capstone" / "static")
    assert upload_dir.is_relative_to(PROJECT / "var")


def test_a_redis_url_is_refused_until_there_is_a_redis_broker(
    tmp_path: Path, databases: Databases
) -> None:
    app = create_app(make_settings(tmp_path, databases, redis_url="redis://127.0.0.1:6379/0"))
    with pytest.raises(RuntimeError, match="CHAT_REDIS_URL is set"), TestClient(app):
        pass
