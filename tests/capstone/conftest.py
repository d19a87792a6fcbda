"""Fixtures for the chat's in-process tests: an app on a SQLite file under tmp_path."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from capstone.main import create_app
from capstone.settings import Settings

SECRET = "test-secret-key-that-is-long-enough-0123456789"
ORIGIN = "http://testserver"
PASSWORD = "correct horse battery"


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}",
        "secret_key": SECRET,
        "upload_dir": tmp_path / "uploads",
        "secret_file": tmp_path / "secret_key",
        "allowed_origins": [ORIGIN],
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@dataclass
class Member:
    username: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


_names = itertools.count(1)


def sign_up(client: TestClient, username: str | None = None) -> Member:
    username = username or f"user{next(_names)}"
    response = client.post("/api/auth/register", json={"username": username, "password": PASSWORD})
    assert response.status_code == 201, response.text
    token = client.post("/api/auth/token", data={"username": username, "password": PASSWORD})
    assert token.status_code == 200, token.text
    return Member(username, token.json()["access_token"])


@pytest.fixture
def member(client: TestClient) -> Callable[..., Member]:
    return lambda username=None: sign_up(client, username)


def ticket(client: TestClient, who: Member) -> str:
    response = client.post("/api/auth/ws-ticket", headers=who.auth)
    assert response.status_code == 200, response.text
    return response.json()["ticket"]


def make_room(client: TestClient, who: Member, name: str = "general") -> str:
    response = client.post("/api/rooms", json={"name": name}, headers=who.auth)
    assert response.status_code == 201, response.text
    return name


def frames_until(ws: WebSocketTestSession, kind: str) -> list[dict[str, Any]]:
    """Frames up to and including the first of `kind`."""
    seen = []
    while True:
        frame = ws.receive_json()
        seen.append(frame)
        if frame["type"] == kind:
            return seen
