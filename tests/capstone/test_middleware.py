"""Headers on every response, health checks, and errors that never leak a trace."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from capstone.main import create_app
from tests.capstone.conftest import Databases, make_settings

CONTRACT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self' ws://testserver; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)


def test_security_headers_request_id_and_timing(client: TestClient) -> None:
    response = client.get("/login")
    assert response.headers["content-security-policy"] == CONTRACT_CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])
    assert float(response.headers["x-process-time"]) >= 0
    # Errors and static files get them too.
    assert client.get("/api/users/me").headers["content-security-policy"] == CONTRACT_CSP
    assert client.get("/static/chat.css").headers["x-request-id"]


def test_sockets_may_go_to_the_chats_own_origins_only(tmp_path: Path, databases: Databases) -> None:
    origins = [
        "http://127.0.0.1:8000",
        "https://chat.example",
        "chrome-extension://x",
        "https://a b",
    ]
    with TestClient(create_app(make_settings(tmp_path, databases, allowed_origins=origins))) as c:
        csp = c.get("/login").headers["content-security-policy"]
    [connect] = [d for d in csp.split("; ") if d.startswith("connect-src ")]
    # Never a bare scheme (any host), never anything but the allowed http(s) origins' ws forms.
    assert connect == "connect-src 'self' ws://127.0.0.1:8000 wss://chat.example"
    databases.drop(tmp_path)


def test_a_sane_request_id_is_kept_and_a_strange_one_replaced(client: TestClient) -> None:
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"] == (
        "abc-123"
    )
    replaced = client.get("/healthz", headers={"X-Request-ID": "bad id\x7f"})
    assert re.fullmatch(r"[0-9a-f]{32}", replaced.headers["x-request-id"])


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ready", "database": "ok", "broker": "memory", "broker_status": "ok"
    }  # fmt: skip


def test_readiness_fails_when_the_broker_is_down(client: TestClient) -> None:
    async def down() -> bool:
        return False

    client.app.state.chat.broker.ping = down  # type: ignore[attr-defined]
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable", "database": "ok",
        "broker": "memory", "broker_status": "unavailable",
    }  # fmt: skip


class Unreachable:
    async def __aenter__(self) -> None:
        raise OSError("connection refused")

    async def __aexit__(self, *exc: object) -> None:
        return None


def test_readiness_fails_when_the_database_is_down(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat = client.app.state.chat  # type: ignore[attr-defined]
    monkeypatch.setattr(chat, "sessionmaker", Unreachable)
    response = client.get("/readyz")
    assert (response.status_code, response.json()["database"]) == (503, "unavailable")


def test_a_crash_is_plain_json_without_a_trace(tmp_path: Path, databases: Databases) -> None:
    app = create_app(make_settings(tmp_path, databases))

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal Server Error"}
    assert "secret internals" not in response.text
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


def test_unknown_path_is_json_404(client: TestClient) -> None:
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}
