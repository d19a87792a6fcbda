"""Settings: the CHAT_ environment, the defaults of the API contract, and the kept secret."""

from __future__ import annotations

import stat
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

import capstone
from capstone.cluster import Redis, free_port
from capstone.main import create_app
from capstone.settings import Settings, load_or_create_secret
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


def test_workers_starting_together_agree_on_one_secret(tmp_path: Path) -> None:
    for attempt in range(5):
        path = tmp_path / str(attempt) / "secret_key"
        start = threading.Barrier(4)

        def race(path: Path = path, start: threading.Barrier = start) -> str:
            start.wait(timeout=10)
            return load_or_create_secret(path)

        with ThreadPoolExecutor(4) as pool:
            keys = list(pool.map(lambda _: race(), range(4)))
        assert len(set(keys)) == 1
        assert path.read_text() == keys[0]
        assert len(keys[0].encode()) >= 32


def test_a_worker_waits_for_the_winners_key_to_arrive(tmp_path: Path) -> None:
    path = tmp_path / "secret_key"
    path.touch(mode=0o600)  # the winner has created the file and not written it yet
    winners_key = "w" * 64
    pauses: list[float] = []

    def pause(seconds: float) -> None:
        pauses.append(seconds)
        path.write_text(winners_key)  # ... and writes it while the loser waits

    assert load_or_create_secret(path, pause=pause) == winners_key
    assert len(pauses) == 1


def test_a_secret_file_that_stays_empty_is_an_error_not_a_hang(tmp_path: Path) -> None:
    path = tmp_path / "secret_key"
    path.touch(mode=0o600)
    with pytest.raises(RuntimeError, match="holds no usable secret key"):
        load_or_create_secret(path, wait=0.05)
    assert path.read_text() == ""  # nobody's key replaced behind their back


def test_presence_must_outlive_a_heartbeat() -> None:
    with pytest.raises(ValidationError, match="longer than heartbeat_seconds"):
        Settings(heartbeat_seconds=5, presence_ttl_seconds=5)
    assert Settings(heartbeat_seconds=0.5, presence_ttl_seconds=2).presence_ttl_seconds == 2


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


def test_with_a_redis_url_readiness_reports_redis(tmp_path: Path, databases: Databases) -> None:
    """Nothing listens on this port: the chat starts, and says it is not ready."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    with TestClient(create_app(make_settings(tmp_path, databases, redis_url=url))) as client:
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json() == {
            "status": "unavailable", "database": "ok", "broker": "redis",
            "broker_status": "unavailable",
        }  # fmt: skip


def test_with_redis_the_chat_is_ready(
    tmp_path: Path, databases: Databases, redis_server: Redis
) -> None:
    settings = make_settings(tmp_path, databases, redis_url=redis_server.url)
    with TestClient(create_app(settings)) as client:
        ready = client.get("/readyz").json()
        assert ready == {
            "status": "ready", "database": "ok", "broker": "redis", "broker_status": "ok"
        }  # fmt: skip
